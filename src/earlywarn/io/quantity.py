"""Quantities with units at the edges: ``"90 s"``, ``"4500 km"``, ``"30 urad"``.

Scenario files may write a quantity either as a string with its unit or as a bare number
in the SI unit of its dimension. Inside, everything is SI. The parser is strict: an
unknown unit, or a unit of the wrong dimension, is an error that names what is allowed.
"""

from __future__ import annotations

import math
import re

UNITS: dict[str, dict[str, float]] = {
    "time": {"s": 1.0, "sec": 1.0, "ms": 1e-3, "min": 60.0, "h": 3600.0, "hr": 3600.0,
             "d": 86400.0, "day": 86400.0},
    "length": {"m": 1.0, "km": 1e3, "nmi": 1852.0},
    "angle": {"rad": 1.0, "mrad": 1e-3, "urad": 1e-6, "µrad": 1e-6, "deg": math.pi / 180.0},
    "area": {"m2": 1.0, "m^2": 1.0, "m²": 1.0},
    "speed": {"m/s": 1.0, "km/s": 1e3},
    "intensity": {"W/sr": 1.0, "kW/sr": 1e3, "MW/sr": 1e6},
    "irradiance": {"W/m2": 1.0, "W/m^2": 1.0, "W/m²": 1.0, "W/cm2": 1e4, "W/cm^2": 1e4},
}  # fmt: skip

_PATTERN = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([^\s\d].*?)?\s*$")


def quantity_pattern(dimension: str) -> str:
    """A regular expression (JSON Schema dialect) for a string quantity of ``dimension``."""
    units = "|".join(re.escape(u) for u in sorted(UNITS[dimension], key=len, reverse=True))
    return rf"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*({units})?\s*$"


def parse_quantity(value: object, dimension: str) -> float:
    """Return ``value`` in SI units of ``dimension``; raise ValueError naming what is allowed."""
    table = UNITS[dimension]
    allowed = ", ".join(repr(u) for u in table)
    if isinstance(value, bool):
        raise ValueError(f"expected a {dimension} such as '90 {next(iter(table))}'; got {value!r}")
    if isinstance(value, int | float):
        x = float(value)
    elif isinstance(value, str):
        m = _PATTERN.match(value)
        if not m:
            raise ValueError(f"expected a number and a {dimension} unit ({allowed}); got {value!r}")
        number, unit = m.group(1), (m.group(2) or "").strip()
        if unit and unit not in table:
            raise ValueError(f"unknown {dimension} unit {unit!r} in {value!r}; allowed: {allowed}")
        x = float(number) * (table[unit] if unit else 1.0)
    else:
        raise ValueError(f"expected a {dimension} (number or string with unit); got {value!r}")
    if not math.isfinite(x):
        raise ValueError(f"{dimension} must be finite; got {value!r}")
    return x
