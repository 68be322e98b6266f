"""The test harness's own rule: it empties only a PostgreSQL database named as a test database."""

from __future__ import annotations

import pytest

from tests.conftest import _fresh_postgres


def test_the_harness_refuses_to_empty_a_database_whose_name_does_not_end_in_test():
    # Port 1: the refusal comes before any connection, so nothing could be dropped anywhere.
    with pytest.raises(pytest.exit.Exception, match="must end in 'test'"):
        _fresh_postgres("postgresql+psycopg://postgres@127.0.0.1:1/bureau")
    with pytest.raises(pytest.exit.Exception, match="'bureau_tests'"):
        _fresh_postgres("postgresql+psycopg://postgres@127.0.0.1:1/bureau_tests")
