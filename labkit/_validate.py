"""Argument checks shared by labkit's public functions.

Every check names the argument it was given and the allowed range, so a
mistake reads as ``duration must be an int >= 1 (weeks), got -4`` rather than
a bare ``TypeError`` from deep inside numpy. Types that are wrong raise
:class:`TypeError`; values of the right type outside the range raise
:class:`ValueError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "check_bool",
    "check_choice",
    "check_int",
    "check_mapping",
    "check_number",
    "check_positive",
    "check_probability",
    "check_strings",
    "check_values",
    "is_number",
]


def is_number(value: Any) -> bool:
    """Return whether ``value`` is a real number (bools are not)."""
    return not isinstance(value, bool | np.bool_) and isinstance(value, int | float | np.number)


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if low is None and high is None:
        return "a finite number"
    if high is None:
        return f"{'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"{'<' if high_open else '<='} {high:g}"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def check_number(
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    hint: str = "",
) -> float:
    """Return ``value`` as a finite float inside an interval.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        What the caller passed.
    low, high : float, optional
        Bounds (``None``: unbounded on that side).
    low_open, high_open : bool
        Exclude the bound itself.
    hint : str
        Appended to the message, e.g. ``" (e.g. 0.2 for +20 %)"``.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``value`` is not a real number (bools are rejected).
    ValueError
        If it is NaN, infinite or outside the interval.
    """
    where = _interval(low, high, low_open, high_open)
    what = "a finite number" + ("" if where == "a finite number" else f" {where}")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()  # a 0-d array, e.g. from xarray's .values
    if not is_number(value):
        raise TypeError(f"{name} must be {what}{hint}, got {value!r}")
    v = float(value)
    ok = np.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        raise ValueError(f"{name} must be {what}{hint}, got {value!r}")
    return v


def check_positive(name: str, value: Any, *, hint: str = "") -> float:
    """Return ``value`` as a finite float > 0 (see :func:`check_number`)."""
    return check_number(name, value, low=0.0, low_open=True, hint=hint)


def check_probability(name: str, value: Any) -> float:
    """Return ``value`` as a float in the open interval (0, 1) (see :func:`check_number`)."""
    return check_number(name, value, low=0.0, high=1.0, low_open=True, high_open=True)


def check_int(
    name: str, value: Any, *, minimum: int | None = 1, maximum: int | None = None, unit: str = ""
) -> int:
    """Return ``value`` as an int inside ``[minimum, maximum]``.

    Parameters
    ----------
    name : str
    value : object
    minimum, maximum : int, optional
        Inclusive bounds (``None``: unbounded).
    unit : str
        Shown after the range, e.g. ``"weeks"``.

    Raises
    ------
    TypeError
        If ``value`` is not an int (bools and floats such as ``4.0`` are rejected).
    ValueError
        If it lies outside the bounds.
    """
    if minimum is not None and maximum is not None:
        where = f"in [{minimum}, {maximum}]"
    elif minimum is not None:
        where = f">= {minimum}"
    elif maximum is not None:
        where = f"<= {maximum}"
    else:
        where = ""
    what = f"an int {where}".rstrip() + (f" ({unit})" if unit else "")
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def check_values(name: str, value: Any, *, default: Sequence[Any] | None = None) -> list[Any]:
    """Return the items of a sequence argument, accepting a single value as one item.

    ``None`` gives ``default``; a scalar (a number or a string) becomes a
    one-item list; an empty sequence raises instead of silently falling back to
    the default.

    Parameters
    ----------
    name : str
    value : object
        ``None``, a scalar, or an iterable of items.
    default : sequence, optional
        Used when ``value`` is ``None``.

    Returns
    -------
    list

    Raises
    ------
    ValueError
        If the sequence is empty (or ``value`` is ``None`` without a default).
    TypeError
        If ``value`` is a mapping (its keys would be iterated by accident).
    """
    if value is None:
        if default is None:
            raise ValueError(f"{name} is required")
        return list(default)
    if isinstance(value, str | bytes) or is_number(value) or isinstance(value, bool | np.bool_):
        return [value]
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return [value.item()]
    if isinstance(value, Mapping):
        raise TypeError(f"{name} must be a value or a sequence of values, got a mapping")
    if not isinstance(value, Iterable):
        return [value]
    items = list(value)
    if not items:
        raise ValueError(f"{name} must not be empty (pass None for the default)")
    return items


def check_strings(
    name: str,
    value: Any,
    *,
    allowed: Sequence[str] | None = None,
    default: Sequence[str] | None = None,
    unique: bool = True,
) -> list[str]:
    """Return a list of names; a single string is one name, not a sequence of characters.

    Parameters
    ----------
    name : str
    value : str or sequence of str or None
    allowed : sequence of str, optional
        Every item must be one of these.
    default : sequence of str, optional
        Used when ``value`` is ``None``.
    unique : bool
        Reject repeated names.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If an item is not a string.
    ValueError
        If the sequence is empty, repeats a name, or names something not in ``allowed``.
    """
    items = check_values(name, value, default=default)
    bad = [v for v in items if not isinstance(v, str)]
    if bad:
        raise TypeError(f"{name} must be a string or a sequence of strings, got {bad[0]!r}")
    if unique:
        repeated = sorted({v for v in items if items.count(v) > 1})
        if repeated:
            raise ValueError(f"{name} repeats {repeated}")
    if allowed is not None:
        unknown = [v for v in items if v not in allowed]
        if unknown:
            raise ValueError(f"{name} has unknown value(s) {unknown}; allowed are {list(allowed)}")
    return items


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (a string such as ``"no"`` is truthy)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise a ValueError listing them."""
    if isinstance(value, Mapping | list | np.ndarray) or value not in list(choices):
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}")
    return value


def check_mapping(name: str, value: Any, *, allow_empty: bool = False) -> Mapping[Any, Any]:
    """Return ``value`` if it is a mapping (a dict), non-empty unless ``allow_empty``.

    A :class:`pandas.Series` (e.g. a value per channel) is returned as a dict.
    """
    if isinstance(value, pd.Series):
        value = value.to_dict()
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    if not value and not allow_empty:
        raise ValueError(f"{name} must not be empty")
    return value


def check_date(name: str, value: Any) -> pd.Timestamp:
    """Return ``value`` as a :class:`pandas.Timestamp`, or raise a ValueError naming ``name``."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a date such as '2021-09-26', got {value!r}") from err
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date such as '2021-09-26', got {value!r}")
    return stamp
