"""`flask bureau` commands of the home-visit campaign."""
from flask.cli import AppGroup


def register(group: AppGroup) -> None:
    """Attach the visits commands to the `bureau` command group."""
