"""The shared argument checks: messages name the argument and the allowed range."""

import numpy as np
import pandas as pd
import pytest

from labkit._validate import (
    check_bool,
    check_choice,
    check_int,
    check_mapping,
    check_number,
    check_positive,
    check_probability,
    check_strings,
    check_values,
)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (1.5, ValueError, r"^p must be a finite number in \(0, 1\), got 1\.5$"),
        (0, ValueError, r"^p must be a finite number in \(0, 1\), got 0$"),
        (np.nan, ValueError, r"in \(0, 1\), got nan"),
        ("0.5", TypeError, r"^p must be a finite number in \(0, 1\), got '0\.5'$"),
        (True, TypeError, "got True"),
        (None, TypeError, "got None"),
    ],
)
def test_check_probability(value, error, match):
    with pytest.raises(error, match=match):
        check_probability("p", value)


def test_numbers_pass_through_as_floats():
    assert check_probability("p", np.float32(0.25)) == 0.25
    assert check_number("x", 3, low=-1, high=5) == 3.0
    assert check_positive("s", np.int64(2)) == 2.0
    assert check_positive("s", np.array(2.5)) == 2.5
    with pytest.raises(ValueError, match=r"^s must be a finite number > 0 \(hint\), got 0$"):
        check_positive("s", 0, hint=" (hint)")
    with pytest.raises(ValueError, match=r"^x must be a finite number <= 1, got 2$"):
        check_number("x", 2, high=1)
    with pytest.raises(ValueError, match=r"^x must be a finite number, got inf$"):
        check_number("x", np.inf)


def test_check_int():
    assert check_int("n", np.int64(3)) == 3
    assert check_int("n", np.array(3)) == 3
    with pytest.raises(TypeError, match=r"^n must be an int >= 1 \(weeks\), got 4\.0$"):
        check_int("n", 4.0, unit="weeks")
    with pytest.raises(TypeError, match="got True"):
        check_int("n", True)
    with pytest.raises(ValueError, match=r"^n must be an int in \[0, 12\], got 13$"):
        check_int("n", 13, minimum=0, maximum=12)


def test_check_values_scalars_strings_and_empties():
    assert check_values("xs", 4) == [4]
    assert check_values("xs", "tv") == ["tv"]
    assert check_values("xs", np.array(2.0)) == [2.0]
    assert check_values("xs", (1, 2)) == [1, 2]
    assert check_values("xs", np.array([1, 2])) == [1, 2]
    assert check_values("xs", None, default=(7,)) == [7]
    with pytest.raises(ValueError, match=r"^xs must not be empty \(pass None for the default\)"):
        check_values("xs", [], default=(7,))
    with pytest.raises(ValueError, match=r"^xs is required"):
        check_values("xs", None)
    with pytest.raises(TypeError, match=r"^xs must be a value or a sequence"):
        check_values("xs", {"a": 1})


def test_check_strings():
    assert check_strings("channels", "tv") == ["tv"]
    assert check_strings("channels", ["tv", "search"], allowed=["tv", "search"]) == [
        "tv",
        "search",
    ]
    with pytest.raises(ValueError, match=r"^channels repeats \['tv'\]"):
        check_strings("channels", ["tv", "tv"])
    with pytest.raises(ValueError, match=r"unknown value\(s\) \['radio'\]; allowed are \['tv'\]"):
        check_strings("channels", "radio", allowed=["tv"])
    with pytest.raises(TypeError, match=r"^channels must be a string or a sequence of strings"):
        check_strings("channels", [1])


def test_check_bool_choice_mapping():
    assert check_bool("flag", np.bool_(True)) is True
    with pytest.raises(TypeError, match=r"^flag must be True or False, got 'no'"):
        check_bool("flag", "no")
    assert check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"^mode must be one of \['a', 'b'\], got 'c'"):
        check_choice("mode", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"^mode must be one of"):
        check_choice("mode", ["a"], ("a", "b"))
    assert check_mapping("m", pd.Series({"x": 1.0})) == {"x": 1.0}
    assert check_mapping("m", {}, allow_empty=True) == {}
    with pytest.raises(ValueError, match=r"^m must not be empty"):
        check_mapping("m", {})
    with pytest.raises(TypeError, match=r"^m must be a dict, got list"):
        check_mapping("m", [("x", 1)])


def test_check_date_names_the_argument():
    from labkit._validate import check_date

    assert check_date("start", "2021-09-26") == pd.Timestamp("2021-09-26")
    for bad in ("not a date", None, float("nan")):
        with pytest.raises(ValueError, match=r"^start must be a date such as"):
            check_date("start", bad)
