"""Home visits: terms and campaigns, roster, 包保 assignments, visit records, coverage."""
