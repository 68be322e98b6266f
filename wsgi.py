"""WSGI entry point: `flask --app wsgi ...` and production servers load `app` from here."""

from bureau import create_app

app = create_app()
