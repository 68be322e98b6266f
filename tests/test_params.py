"""Every integer request parameter is parsed by bureau/params.py: ASCII digits within PostgreSQL's
`integer` (2,147,483,647), else refused — never a server error."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import BadRequest, NotFound

from bureau.params import MAX_INT, check_request_ints, ids_of, int_arg, parse_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (42, 42),  # a route's <int:...> argument
        ("2147483647", MAX_INT),  # ten digits, the largest integer the databases store
        ("2147483648", None),  # one more
        ("99999999999", None),  # eleven digits
        ("", None),
        ("-1", None),
        ("²", None),  # isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits
        ("1e3", None),
        (" 7", None),
        (True, None),  # a bool is an int to Python, not to us
        (None, None),
        (3.0, None),
    ],
)
def test_parse_int_accepts_ascii_digits_within_the_databases_integer(value, expected):
    assert parse_int(value) == expected


def test_parse_int_bounds_are_inclusive():
    assert parse_int("5", 5, 5) == 5
    assert parse_int("4", 5, 10) is None and parse_int("11", 5, 10) is None
    assert parse_int("10", 5, 10) == 10


def test_int_arg_reads_the_query_or_a_given_source(app):
    with app.test_request_context("/?page=3&empty=&bad=x&zero=0"):
        assert int_arg("page") == 3 and int_arg("zero") == 0
        assert int_arg("missing", 7) == 7 and int_arg("empty", 7) == 7  # absent or blank: the default
        assert int_arg("week", source={"week": "12"}) == 12  # a form, say: the query is not read
        with pytest.raises(BadRequest):
            int_arg("bad")
        with pytest.raises(BadRequest):
            int_arg("page", high=2)  # 3 is above the bound given


def test_flask_admins_own_parameters_may_be_zero_but_not_odd(app):
    with app.test_request_context("/?page=0&sort=0&desc=1"):
        check_request_ints()  # page 0 is the first page
    with app.test_request_context("/?page=99999999999"), pytest.raises(BadRequest):
        check_request_ints()
    with app.test_request_context("/"), pytest.raises(NotFound):
        check_request_ints(route_args={"photo_id": 2**40})


def test_row_ids_of_a_bulk_action_start_at_one():
    assert ids_of(["1", "2147483647"]) == [1, MAX_INT]
    with pytest.raises(BadRequest):
        ids_of(["0"])
    with pytest.raises(BadRequest):
        ids_of(["1", "x"])
