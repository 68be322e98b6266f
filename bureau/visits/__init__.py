"""Home visits: terms and campaigns, roster, 包保 assignments, visit records, coverage."""

from bureau.visits import rules  # noqa: F401 - registers the visit rules with the tenant guard
