"""The row as it is: what the database holds for an attribute before the pending change.

Write rules judge a row as it is and as it will be; the "as it is" half reads this.
"""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session


def stored(obj: object, key: str):
    """`obj.key` as the database holds it (the current value when unchanged or new).

    An attribute set after a commit expired it has no old value in its history: the old value
    is then read from the database (a many-to-one through its foreign key, which is not synced
    before the flush; a column from its table, which the tenant guard does not filter).
    """
    state = inspect(obj)
    history = state.attrs[key].history
    if history.deleted:
        return history.deleted[0]
    if not history.added or state.key is None:
        return getattr(obj, key)
    relationship = state.mapper.relationships.get(key)
    if relationship is not None:
        (column,) = relationship.local_columns
        value = stored(obj, column.key)
        return state.session.get(relationship.mapper.class_, value) if value is not None else None
    table = state.mapper.local_table
    (pk,) = table.primary_key.columns
    return state.session.execute(select(table.c[state.mapper.columns[key].key]).where(pk == state.identity[0])).scalar()


def is_stored(obj: object) -> bool:
    """Has `obj` a row in the database (as opposed to being new in this session)?"""
    return inspect(obj).key is not None


def target(session: Session, obj: object, relationship: str):
    """The row a many-to-one of `obj` will point at once this change is flushed.

    Before a flush the foreign key and the relationship can disagree: a form sets the
    relationship (perhaps to None), a service may set the key. Whichever was changed wins.
    """
    state = inspect(obj)
    prop = state.mapper.relationships[relationship]
    (column,) = prop.local_columns
    key_history = state.attrs[column.key].history
    if key_history.added and key_history.deleted:
        value = key_history.added[0]
        return session.get(prop.mapper.class_, value) if value is not None else None
    related = state.attrs[relationship].history
    if related.added or related.deleted:
        return related.added[0] if related.added else None
    value = getattr(obj, relationship)
    if value is not None:
        return value
    key = getattr(obj, column.key)
    return session.get(prop.mapper.class_, key) if key is not None else None
