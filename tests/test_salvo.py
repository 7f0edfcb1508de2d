"""Salvo launch entries: many launches in one entry, expanded deterministically
(``run.build.expand_launches``), validated like single launches, counted by ``validate``."""

from __future__ import annotations

import math
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from earlywarn.earth.constants import R_MEAN_M
from earlywarn.io.scenario import ScenarioError, parse_scenario
from earlywarn.run.build import expand_launches, launch_specs

HEAD = 'epoch: "2026-03-20T12:00:00Z"\nduration: "50 min"\nlaunches:\n'
SALVO = """  - salvo: R
    count: {count}
    vehicles: {{icbm-solid: 3, icbm-liquid: 1}}
    sites: {{area: {{lat_deg: 40, lon_deg: 60, radius: "150 km"}}, spacing: "12 km"}}
    window: {{start: "1 min", end: "11 min"}}
    aim: {{area: {{lat_deg: 47, lon_deg: -170, radius: "200 km"}}}}
    seed: {seed}
"""


def _scenario(count: int = 1000, seed: int = 3, extra: str = "") -> str:
    return HEAD + SALVO.format(count=count, seed=seed) + extra


def _dist_m(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    p1, p2 = np.radians(lat1), math.radians(lat2)
    dl = np.radians(lon1) - math.radians(lon2)
    c = np.sin(p1) * math.sin(p2) + np.cos(p1) * math.cos(p2) * np.cos(dl)
    return np.asarray(R_MEAN_M * np.arccos(np.clip(c, -1.0, 1.0)))


def test_a_thousand_launch_raid_in_a_dozen_lines() -> None:
    text = _scenario()
    assert len(text.splitlines()) <= 12
    launches = expand_launches(parse_scenario(text))
    assert len(launches) == 1000
    assert [ln.id for ln in launches[:2]] == ["R0001", "R0002"] and launches[-1].id == "R1000"
    # vehicle mix 3:1 split exactly (largest remainder), shuffled
    assert Counter(ln.vehicle for ln in launches) == {"icbm-solid": 750, "icbm-liquid": 250}
    # times evenly spread over the window, in order
    t = np.array([ln.time for ln in launches])
    assert t[0] == 60.0 and t[-1] == 660.0
    np.testing.assert_allclose(np.diff(t), 600.0 / 999, rtol=1e-9)
    # sites on the grid within the area: none farther than the radius, distinct sites at
    # least one spacing apart (the grid is square in the east-north plane)
    lat = np.array([ln.site.lat_deg for ln in launches])
    lon = np.array([ln.site.lon_deg for ln in launches])
    assert _dist_m(lat, lon, 40.0, 60.0).max() <= 150e3 * (1 + 1e-6)
    sites = sorted({(a, b) for a, b in zip(lat, lon, strict=True)})
    # πr²/s² ≈ 491 grid points: every one is used before any is used twice
    assert 450 <= len(sites) <= 530
    use = Counter(zip(lat, lon, strict=True))
    assert max(use.values()) - min(use.values()) <= 1
    sl = np.array(sites)
    for i in range(0, len(sl), 25):
        d = _dist_m(np.delete(sl[:, 0], i), np.delete(sl[:, 1], i), sl[i, 0], sl[i, 1])
        assert d.min() >= 12e3 * 0.99  # sphere vs local plane: well under 1 %
    # aim points inside the aim circle
    alat = np.array([ln.aim.lat_deg for ln in launches if ln.aim is not None])
    alon = np.array([ln.aim.lon_deg for ln in launches if ln.aim is not None])
    assert _dist_m(alat, alon, 47.0, -170.0).max() <= 200e3 * (1 + 1e-6)
    assert len(launch_specs(parse_scenario(text))) == 1000


def test_aim_points_are_uniform_over_the_area() -> None:
    """Uniform over the disc: the fraction within r/√2 is 1/2; with 1,000 draws the 99.9 %
    binomial interval is 0.5 ± 3.29·√(0.25/1000) = 0.5 ± 0.052."""
    launches = expand_launches(parse_scenario(_scenario()))
    alat = np.array([ln.aim.lat_deg for ln in launches if ln.aim is not None])
    alon = np.array([ln.aim.lon_deg for ln in launches if ln.aim is not None])
    inner = float(np.mean(_dist_m(alat, alon, 47.0, -170.0) <= 200e3 / math.sqrt(2.0)))
    assert abs(inner - 0.5) <= 0.052


def test_expansion_is_deterministic_and_seeded() -> None:
    a = expand_launches(parse_scenario(_scenario(count=50, seed=3)))
    b = expand_launches(parse_scenario(_scenario(count=50, seed=3)))
    c = expand_launches(parse_scenario(_scenario(count=50, seed=4)))
    assert a == b
    assert [ln.site for ln in a] != [ln.site for ln in c]


def test_lists_of_sites_and_aims_are_used_in_turn() -> None:
    text = (
        HEAD
        + """  - salvo: S
    count: 7
    vehicles: slbm
    sites: [{lat_deg: 30, lon_deg: -40}, {lat_deg: 31, lon_deg: -41}, {lat_deg: 32, lon_deg: -42}]
    window: {start: "0 s", end: "60 s"}
    aim: [{lat_deg: 40, lon_deg: -70}]
"""
    )
    launches = expand_launches(parse_scenario(text))
    assert [ln.id for ln in launches] == [f"S{i:03d}" for i in range(1, 8)]
    use = Counter(ln.site.lat_deg for ln in launches)
    assert sorted(use.values()) == [2, 2, 3]
    assert {ln.vehicle for ln in launches} == {"slbm"}
    assert {(ln.aim.lat_deg, ln.aim.lon_deg) for ln in launches if ln.aim} == {(40.0, -70.0)}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("count: 1000", "count: 0"), "launches.0.count", "greater than 0"),
        (("icbm-liquid: 1", "icbm-lqd: 1"), "launches.0.vehicles", "icbm-solid"),
        (("icbm-liquid: 1", "icbm-liquid: -1"), "launches.0.vehicles", "positive"),
        (('end: "11 min"', 'end: "0 min"'), "launches.0.window", "before its start"),
        (('spacing: "12 km"', 'spacing: "10 m"'), "launches.0.sites", "widen 'spacing'"),
        ((', spacing: "12 km"', ""), "launches.0", "needs 'spacing'"),
        (('radius: "200 km"}}', 'radius: "200 km"}, spacing: "1 km"}'), "launches.0", "aim"),
    ],
)
def test_bad_salvos_name_file_line_and_field(
    change: tuple[str, str], field: str, words: str
) -> None:
    text = _scenario().replace(*change)
    assert text != _scenario()
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "raid.yaml")
    msg = str(err.value)
    assert msg.startswith("raid.yaml:") and f": {field}" in msg and words in msg, msg


def test_salvo_ids_must_not_collide_with_launches() -> None:
    extra = (
        "  - {id: R0007, vehicle: icbm-solid, site: {lat_deg: 40, lon_deg: 60}, "
        "aim: {lat_deg: 47, lon_deg: -170}}\n"
    )
    with pytest.raises(ScenarioError, match="repeated: R0007"):
        parse_scenario(_scenario(extra=extra))


def test_validate_says_what_a_salvo_expands_to(tmp_path: Path) -> None:
    p = tmp_path / "raid.yaml"
    p.write_text(_scenario(count=300))
    r = subprocess.run(
        [sys.executable, "-m", "earlywarn", "validate", str(p)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "300 launches (1 salvo: 'R' → 300)" in r.stdout
