"""Console views of the home-visit campaign."""
from flask_admin import Admin


def register(admin: Admin) -> None:
    """Add the visits views to the console."""
