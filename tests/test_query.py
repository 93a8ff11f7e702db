"""Settings in the URL: which query values a control takes, and matrices as compact text."""
import numpy as np
import pytest

from core import query


@pytest.mark.parametrize("raw, ok", [("2", True), ("4", True), ("2.5", True), ("-3", False), ("x", False),
                                     ("9", False), ("nan", False), ("inf", False), ("", False)])
def test_numbers_accept_what_the_binding_keeps(raw, ok):
    assert query.Numbers(1, 4).accepts(raw) is ok


def test_options_and_flags():
    assert query.Options(("max", "avg")).accepts("avg")
    assert not query.Options(("max", "avg")).accepts("最大")
    assert query.Flag().accepts("TRUE") and query.Flag().accepts("false") and not query.Flag().accepts("yes")


def test_matrix_round_trip():
    m = np.array([[1, 2, 0], [0, 1, 2]])
    assert query.format_matrix(m) == "1,2,0;0,1,2"
    assert np.array_equal(query.parse_matrix("1,2,0;0,1,2", (1, 9, 1, 9)), m)
    blur = np.full((3, 3), 1 / 9)
    text = query.format_matrix(blur)
    assert text.split(";")[0] == "0.1111,0.1111,0.1111"
    assert np.allclose(query.parse_matrix(text, (1, 7, 1, 7)), np.round(blur, 4))
    assert query.parse_matrix("1/9,-0.5", (1, 7, 1, 7)).tolist() == [[0.1111, -0.5]]


@pytest.mark.parametrize("text, code", [("1,2;3", "matrix_ragged"), ("1,x;1,1", "not_a_number"), ("1,1/0;1,1", "not_a_number"),
                                        (";".join(["1"] * 10), "matrix_too_big"), ("1e300;1", "number_too_big"),
                                        ("1", "matrix_too_small"), ("nan,1;1,1", "number_too_big")])
def test_bad_matrices_are_named(text, code):
    with pytest.raises(query.QueryError) as err:
        query.parse_matrix(text, (2, 9, 1, 9))
    assert err.value.code == code

