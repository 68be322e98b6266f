"""Demo data of the weekly reports."""
from sqlalchemy.orm import Session


def load(session: Session, nodes: dict) -> None:
    """Add weekly-report demo data; `nodes` maps region/school codes to rows. Idempotent."""
