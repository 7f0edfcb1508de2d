"""History's false alarms with resident space objects (``examples/history/``).

* 28 October 1962 (``1962-10-satellite-new-radar.yaml``): a satellite passes a radar at
  Moorestown newly turned toward Cuba. The center calls it a catalogued object when its
  catalog holds it, an uncorrelated orbital object when it has none (the 1962 crew's
  case), and never raises it above POSSIBLE_LAUNCH; an MRBM from Cuba in the same sky
  reaches THREAT.
* 3 October 1979 (``1979-10-decaying-rocket-body.yaml``): a rocket body on its last
  revolution comes down through the west-facing fan of an SLBM warning radar at Mount
  Hebo. The center calls it a re-entry, never above POSSIBLE_LAUNCH, with or without its
  catalog; an SLBM toward Seattle in the same sky reaches THREAT.

Each scenario file states its sources, what happened and the expected outcome; the
figures of the passes (when the object is in the fan, how high) are measured from the
truth and checked here, so a change to the sky that moved the object out of the fan
would fail here rather than leave the center's check passing on an empty sky.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from earlywarn.center import Level
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.flight.dynamics import EarthModel
from earlywarn.io.scenario import Scenario, load_scenario
from earlywarn.run.pipeline import RunResult, run_scenario

HISTORY = Path(__file__).resolve().parent.parent / "examples" / "history"
SATELLITE = HISTORY / "1962-10-satellite-new-radar.yaml"
ROCKET_BODY = HISTORY / "1979-10-decaying-rocket-body.yaml"
HIGHEST_ALLOWED = Level.POSSIBLE_LAUNCH
SEEDS = [None, 1, 2]  # None: the file's own seed


def _scene(path: Path, launches: list[dict[str, Any]] | None = None, **over: Any) -> Scenario:
    """The scene of ``path`` with ``launches`` added and top-level fields replaced (a
    None value keeps the file's); ``center_catalog=None`` takes the center's catalog
    away."""
    data: dict[str, Any] = load_scenario(path).model_dump(mode="json", by_alias=True)
    data["launches"] = [*data.get("launches", []), *(launches or [])]
    if "center_catalog" in over:
        data["center"]["catalog"] = over.pop("center_catalog")
    data.update({k: v for k, v in over.items() if v is not None})
    return Scenario.model_validate(data)


def _rso_report_times(res: RunResult, object_id: str) -> np.ndarray:
    batch = res.reports.radar
    keys = res.report_truth.as_dict()
    mine = np.array(
        [
            keys.get((s, int(q))) == object_id
            for s, q in zip(batch["sensor_id"], batch["seq"], strict=True)
        ],
        dtype=bool,
    )
    return np.asarray(batch["t_s"], dtype=float)[mine]


def _events(res: RunResult, exclude: frozenset[str] = frozenset()) -> list[Any]:
    """The center's events at the end of the run (merged ones left out), but ``exclude``."""
    return [e for e in res.center.events if e.event_id not in exclude and e.merged_into is None]


def _highest(res: RunResult, exclude: frozenset[str] = frozenset()) -> Level:
    return max(
        (Level[str(a.level)] for a in res.center.alerts if a.event_id not in exclude),
        default=Level.NONE,
    )


def _launch_row(res: RunResult, launch_id: str) -> dict[str, Any]:
    return next(r for r in res.evaluation.launches if r["id"] == launch_id)


def _assert_called(res: RunResult, reason: str) -> list[Any]:
    """The run's events are all NOT_A_THREAT ``reason``, none ever above POSSIBLE_LAUNCH,
    and no false alert of LAUNCH or above; its events returned."""
    events = _events(res)
    assert events, "the object's track opens a radar-only event"
    assert _highest(res) <= HIGHEST_ALLOWED
    assert all(e.level <= HIGHEST_ALLOWED for e in res.center.events)
    for e in events:
        assert (e.disposition, e.reason) == ("NOT_A_THREAT", reason), e
    fa = res.evaluation.false_alerts
    assert fa["LAUNCH"] == fa["THREAT"] == fa["ATTACK_CONFIRMED"] == 0, fa
    return events


def _assert_warned(path: Path, launch: dict[str, Any], area: str, others_reason: str) -> None:
    """``launch`` added to the scene of ``path`` reaches THREAT on ``area``, and the
    scene's own object keeps ``others_reason`` at or below POSSIBLE_LAUNCH."""
    res = run_scenario(_scene(path, [launch]))
    row = _launch_row(res, launch["id"])
    assert row["threat_s"] is not None, row
    assert Level[row["max_level"]] >= Level.THREAT, row
    assert not row["wrongly_dismissed"], row
    mine = frozenset(row["event_ids"])
    assert any(area in a.threatened_areas for a in res.center.alerts if a.event_id in mine)
    others = _events(res, exclude=mine)
    assert others and _highest(res, exclude=mine) <= HIGHEST_ALLOWED
    assert {e.reason for e in others} == {others_reason}


# ---- 28 October 1962: a satellite over Moorestown ------------------------------------

SAT_ID = "rso:99621"
SAT_NORAD = 99621


@pytest.mark.parametrize("seed", SEEDS)
def test_1962_the_catalogued_satellite_is_seen_and_called_catalogued(seed: int | None) -> None:
    res = run_scenario(_scene(SATELLITE, seed=seed))
    t = _rso_report_times(res, SAT_ID)
    # the file: in the fan from t ~ 650 s to ~ 1,000 s; a 5 m^2 target at 2,400 km or
    # nearer is seen nearly every scan
    assert len(t) >= 30, len(t)
    assert 600.0 < t.min() < 720.0 and 900.0 < t.max() < 1060.0, (t.min(), t.max())
    for e in _assert_called(res, "catalogued_object"):
        assert e.catalog_object is not None and e.catalog_object[0] == SAT_NORAD, e
    # the alerts name the object
    assert {a.object_norad_id for a in res.center.alerts} == {SAT_NORAD}


@pytest.mark.parametrize("seed", SEEDS)
def test_1962_without_a_center_catalog_it_is_an_uncorrelated_orbital_object(
    seed: int | None,
) -> None:
    res = run_scenario(_scene(SATELLITE, seed=seed, center_catalog=None))
    assert len(_rso_report_times(res, SAT_ID)) >= 30
    for e in _assert_called(res, "uncorrelated_orbital_object"):
        assert e.catalog_object is None, e


def test_1962_an_mrbm_from_cuba_in_the_same_sky_is_a_threat() -> None:
    # western Cuba toward Savannah (~1,060 km; the modelled mrbm reaches 1,153 km),
    # launched at 300 s: in the fan from ~565 s, while the satellite is (~650-1,000 s).
    # Radar-only: THREAT comes from the radar's ballistic fit and the declared area.
    mrbm = {"id": "M1", "vehicle": "mrbm", "site": {"lat_deg": 22.7, "lon_deg": -83.0},
            "aim": {"lat_deg": 32.1, "lon_deg": -81.1}, "time": 300.0}  # fmt: skip
    _assert_warned(SATELLITE, mrbm, "savannah", "catalogued_object")


# ---- 3 October 1979: a decaying rocket body over Mount Hebo ---------------------------

RB_ID = "rso:99791"


@pytest.mark.parametrize(("seed", "catalog"), [(None, True), (1, True), (2, True), (None, False)])
def test_1979_the_decaying_rocket_body_is_a_reentry_never_a_launch(
    seed: int | None, catalog: bool
) -> None:
    over: dict[str, Any] = {"seed": seed}
    if not catalog:
        over["center_catalog"] = None
    res = run_scenario(_scene(ROCKET_BODY, **over))
    t = _rso_report_times(res, RB_ID)
    # the file: in the fan from t ~ 1,080 s to ~ 1,250 s
    assert len(t) >= 15, len(t)
    assert 1040.0 < t.min() < 1140.0 and 1200.0 < t.max() < 1290.0, (t.min(), t.max())
    # the truth: below the 120 km handover and coming down all the while it is seen
    (i,) = [k for k, o in enumerate(res.truth.object_id) if o == RB_ID]
    ok = np.isfinite(res.truth.t_s[i])
    alt = EarthModel().altitude_m(res.truth.r_ecef_m[i][ok])
    seen = np.interp(t, res.truth.t_s[i][ok], alt)
    assert np.all(seen < 120e3) and np.all(seen > 90e3), (seen.min(), seen.max())
    assert np.all(np.diff(np.interp(np.sort(t), res.truth.t_s[i][ok], alt)) <= 0.0)
    for e in _assert_called(res, "reentry"):
        assert e.catalog_object is None, e  # the catalog's SGP4 prediction is ~60 km off


def test_1979_an_slbm_toward_seattle_in_the_same_sky_is_a_threat() -> None:
    # from the Pacific ~2,550 km west of Seattle (the slbm's minimum-energy range starts
    # at 2,435 km), launched at 300 s: in the fan from ~550 s to ~1,030 s, its tracks
    # ending as the rocket body's begin (~1,080 s)
    slbm = {"id": "S1", "vehicle": "slbm", "site": {"lat_deg": 44.0, "lon_deg": -155.0},
            "aim": {"lat_deg": 47.6, "lon_deg": -122.3}, "time": 300.0}  # fmt: skip
    _assert_warned(ROCKET_BODY, slbm, "seattle", "reentry")


def test_1962_the_elements_put_the_satellite_where_the_file_says() -> None:
    # the file's construction: over 33 N, 76 W at 13:45:00 UTC (900 s into the scene),
    # 500 km up; SGP4's mean elements against the osculating state, and a circular orbit
    # built on a spherical Earth: within 0.5 deg and 15 km
    res = run_scenario(load_scenario(SATELLITE))
    (i,) = [k for k, o in enumerate(res.truth.object_id) if o == SAT_ID]
    ok = np.isfinite(res.truth.t_s[i])
    t, r = res.truth.t_s[i][ok], res.truth.r_ecef_m[i][ok]
    at = np.array([np.interp(900.0, t, r[:, k]) for k in range(3)])
    lat, lon, h = ecef_to_geodetic(at)
    assert abs(math.degrees(float(lat)) - 33.0) < 0.5
    assert abs(math.degrees(float(lon)) + 76.0) < 0.5
    assert abs(float(h) - 500e3) < 15e3
