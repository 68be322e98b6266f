"""The home-visit rows of the test world: rows in at least two schools of two counties."""
from sqlalchemy.orm import Session


def extend(session: Session, world) -> None:
    """Add visits-domain rows to `world` (world.extra holds them by name)."""
