"""`flask bureau` commands of the weekly reports."""
from flask.cli import AppGroup


def register(group: AppGroup) -> None:
    """Attach the weekly-report commands to the `bureau` command group."""
