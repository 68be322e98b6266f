"""Demo data of the home-visit campaign."""
from sqlalchemy.orm import Session


def load(session: Session, nodes: dict) -> None:
    """Add visits demo data; `nodes` maps region/school codes to rows. Idempotent."""
