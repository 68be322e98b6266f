"""Console views of the 周调度 weekly reports."""
from flask_admin import Admin


def register(admin: Admin) -> None:
    """Add the weekly-report views to the console."""
