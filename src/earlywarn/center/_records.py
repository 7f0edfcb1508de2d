"""``evolve``: a cheap ``dataclasses.replace`` for the center's frozen records.

``replace`` runs the record's generated ``__init__`` (~10 µs for the ~40 fields of an
event), and the center rebuilds events, snapshots and tracks at every step. For a frozen
dataclass whose fields are all set by ``__init__`` and that has no ``__post_init__``, a
copy of the instance dict with the changes is the same value ``replace`` builds
(``tests/test_center_assessment.py`` holds the two together).
"""

from __future__ import annotations

from typing import Any, TypeVar

_T = TypeVar("_T")


def evolve(obj: _T, **changes: Any) -> _T:
    """A copy of the frozen record ``obj`` with ``changes`` (field names only)."""
    unknown = changes.keys() - obj.__dict__.keys()
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field(s) {sorted(unknown)}")
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new
