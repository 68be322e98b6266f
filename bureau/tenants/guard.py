"""The tenant guard: the one place where a scoped user's reads are filtered and writes checked.

While a scope is set on a session (`session.info`), every ORM SELECT gets loader criteria for
every scoped model, and every flush refuses rows outside the scope. Views, services and
Flask-Admin's own queries (list, count, get, ajax lookups, exports) need nothing of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import or_
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.util import LoaderCriteriaOption

from bureau.tenants.models import Region, School, TenantOwned, User
from bureau.tenants.scope import Scope
from bureau.tenants.tree import region_write_error, school_write_error

SCOPE_KEY = "bureau.scope"
EXPLICIT_KEY = "bureau.explicit_scope"

# Extra read rules of other domain packages: each takes the scope, returns loader criteria.
_extra_rules: list[Callable[[Scope], LoaderCriteriaOption]] = []
# Extra write checks: each takes (session, scope, obj) and returns False to refuse, None to pass.
_extra_checks: list[Callable[[Session, Scope, object], bool | None]] = []
# The one write rule of each model that has no school_id: (session, scope, obj) -> may it be written?
# A model with neither a school nor a rule is written by nobody signed in (default deny).
_model_rules: dict[type, Callable[[Session, Scope, object], bool]] = {}


class TenantViolation(Exception):
    """A write outside the signed-in user's scope; views show it as "not found"."""


def read_rule(rule: Callable[[Scope], LoaderCriteriaOption]):
    """Register a further read rule (for models scoped otherwise than by school_id)."""
    _extra_rules.append(rule)
    return rule


def write_check(check: Callable[[Session, Scope, object], bool | None]):
    """Register a further write check."""
    _extra_checks.append(check)
    return check


def write_rule(model: type):
    """Register the write rule of a model that has no school (terms, campaigns, regions, users)."""

    def register(rule: Callable[[Session, Scope, object], bool]):
        _model_rules[model] = rule
        return rule

    return register


def current_scope(session: Session) -> Scope | None:
    return session.info.get(SCOPE_KEY)


def set_scope(session: Session, scope: Scope | None) -> None:
    if scope is None:
        session.info.pop(SCOPE_KEY, None)
    else:
        session.info[SCOPE_KEY] = scope


@contextmanager
def scoped(session: Session, scope: Scope | None) -> Iterator[Session]:
    """Run a block as a scoped user (CLI commands, services, tests)."""
    previous = current_scope(session)
    set_scope(session, scope)
    try:
        yield session
    finally:
        set_scope(session, previous)


# The rule shapes of each level. Each rule is a lambda of the entity, so an aliased entity gets
# the rule on its alias; closures hold only ids and scope selects, so SQLAlchemy caches one SQL
# per shape and binds each user's ids as parameters.
_SCHOOL_RULE = {
    "province": lambda n: lambda cls: cls.province_id == n,
    "city": lambda n: lambda cls: cls.city_id == n,
    "direct_county": lambda n: lambda cls: cls.county_id == n,
    "county": lambda n: lambda cls: cls.county_id == n,
    "school": lambda n: lambda cls: cls.id == n,
}
_REGION_RULE = {
    "province": lambda n, up: lambda cls: or_(cls.id == n, cls.province_id == n, cls.id.in_(up)),
    "city": lambda n, up: lambda cls: or_(cls.id == n, cls.city_id == n, cls.id.in_(up)),
    "direct_county": lambda n, up: lambda cls: or_(cls.id == n, cls.id.in_(up)),
    "county": lambda n, up: lambda cls: or_(cls.id == n, cls.id.in_(up)),
    "school": lambda n, up: lambda cls: cls.id.in_(up),
}


def _tenant_rule(scope: Scope):
    if scope.is_school:
        school_id = scope.node_id
        return lambda cls: cls.school_id == school_id
    schools = scope.schools()
    return lambda cls: cls.school_id.in_(schools)


def criteria(scope: Scope) -> list[LoaderCriteriaOption]:
    """Loader criteria for every scoped model."""
    node, above = scope.node_id, list(scope.ancestors)
    schools, regions = scope.schools(), scope.regions()
    options = [
        with_loader_criteria(TenantOwned, _tenant_rule(scope), include_aliases=True),
        with_loader_criteria(School, _SCHOOL_RULE[scope.level](node), include_aliases=True),
        with_loader_criteria(Region, _REGION_RULE[scope.level](node, above), include_aliases=True),
        with_loader_criteria(
            User,
            lambda cls: or_(cls.school_id.in_(schools), cls.region_id.in_(regions)),
            include_aliases=True,
        ),
    ]
    options.extend(rule(scope) for rule in _extra_rules)
    return options


def explicitly_scoped(statement, scope: Scope | None):
    """Mark bulk SQL that applies `scope` itself, with Scope.school_clause on every tenant table.

    The guard then leaves that one statement alone when the session's scope is the same one:
    adding its criteria again would repeat every filter, and PostgreSQL, multiplying the
    selectivities of the repeats, plans aggregates over thousands of rows as if over one.
    """
    return statement if scope is None else statement.execution_options(**{EXPLICIT_KEY: scope})


def scope_reads(state: ORMExecuteState) -> None:
    """Add the scope's loader criteria to an ORM SELECT (every one of db.session's, via bureau.session)."""
    scope = current_scope(state.session)
    if scope is None or not state.is_select or state.is_column_load:
        return
    if state.execution_options.get(EXPLICIT_KEY) == scope:
        return
    state.statement = state.statement.options(*criteria(scope))


def _school_id_of(obj: TenantOwned) -> int | None:
    school = obj.__dict__.get("school")
    return school.id if school is not None else obj.school_id


def allowed(session: Session, scope: Scope, obj: object) -> bool:
    """May a user of `scope` write `obj`? Fills school_id in for school-scoped users."""
    for check in _extra_checks:
        verdict = check(session, scope, obj)
        if verdict is False:
            return False
    if isinstance(obj, TenantOwned):
        if _school_id_of(obj) is None and scope.is_school:
            obj.school_id = scope.node_id
        school_id = _school_id_of(obj)
        if school_id is None:
            return False
        school = session.get(School, school_id)
        return school is not None and scope.covers_school(school)
    for model, rule in _model_rules.items():
        if isinstance(obj, model):
            return rule(session, scope, obj)
    return False


@write_rule(School)
def _school_writes(session: Session, scope: Scope, school: School) -> bool:
    return scope.covers_school(school) and school_write_error(session, scope, school) is None


@write_rule(Region)
def _region_writes(session: Session, scope: Scope, region: Region) -> bool:
    return scope.covers_region(region) and region_write_error(session, scope, region) is None


def guard_writes(session: Session) -> None:
    """Refuse the flush if any new, changed or deleted row lies outside the session's scope.

    Run before every flush of db.session by bureau.session, after the ancestors are placed.
    """
    scope = current_scope(session)
    if scope is None:
        return
    with session.no_autoflush:
        for obj in list(session.new) + list(session.dirty) + list(session.deleted):
            if not allowed(session, scope, obj):
                raise TenantViolation(f"{type(obj).__name__} outside scope")
