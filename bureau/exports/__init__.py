"""Exports: the one .xlsx writer and the report layouts built on it."""
