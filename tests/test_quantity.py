"""Quantities with units at the edges."""

from __future__ import annotations

import math

import pytest

from earlywarn.io.quantity import parse_quantity


@pytest.mark.parametrize(
    ("text", "dim", "si"),
    [
        ("90 s", "time", 90.0),
        ("5 min", "time", 300.0),
        ("1.5h", "time", 5400.0),
        ("4500 km", "length", 4.5e6),
        (30, "length", 30.0),
        ("30 urad", "angle", 30e-6),
        ("0.15 deg", "angle", 0.15 * math.pi / 180),
        ("1e6 W/sr", "intensity", 1e6),
        ("-2.5e-1 km", "length", -250.0),
    ],
)
def test_parses_to_si(text: object, dim: str, si: float) -> None:
    assert parse_quantity(text, dim) == pytest.approx(si, rel=1e-15)


def test_wrong_unit_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown time unit 'km'.*'s'.*'min'"):
        parse_quantity("90 km", "time")
    with pytest.raises(ValueError, match="expected a number"):
        parse_quantity("fast", "time")
    with pytest.raises(ValueError, match="finite"):
        parse_quantity(float("nan"), "length")
    with pytest.raises(ValueError):
        parse_quantity(True, "time")
