"""A quiet day: 24 hours of eight IR satellites with clutter, sun glint and two fires, one
space launch and one sounding rocket — and no missile. The center must stay below THREAT
for all of it, never dismiss the space launch without evidence (``orbit`` needs its
perigee above 120 km at 95 %) and dismiss the sounding rocket as
``sounding_rocket_local_impact``, and keep its POSSIBLE_LAUNCH count small (printed, so a
change shows in the log; run with ``-s``), in reasonable time. About 150,000 IR reports;
the whole module takes ~75 s.

Architecture: 4 GEO (100°W, 10°W, 80°E, 170°E) and 4 Molniya (two planes with apogees
over 90°W and 90°E, half an orbit apart), scanning every 2 s with a noise-equivalent
irradiance of 5e-12 W/m² (sensitive enough to see the sounding rocket's 9e4 W/sr
sustainer from GEO), default clutter (0.05 detections per frame) and glint. Fires: a
bush fire in central Africa (8 h) and a gas flare in the Middle East (11 h). A defended
area around the central United States (radius 1,500 km) is near both launch sites, so a
mis-classification would show up as a THREAT.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest

EPOCH = "2026-03-20T00:00:00Z"
DAY_S = 86_400.0
T_SLV = 20_000.0
T_SOUNDING = 50_000.0


def quiet_day(seed: int = 1) -> tuple[Any, Any, Any, float]:
    from earlywarn.center import CenterConfig, DefendedArea, run_center
    from earlywarn.flight.fly import LaunchSpec, fly
    from earlywarn.sensors.events import Fire
    from earlywarn.sensors.infrared import InfraredPayload, InfraredSatellite
    from earlywarn.sensors.simulate import simulate
    from earlywarn.space.orbits import geo, molniya

    specs = [
        LaunchSpec("S1", "slv", 28.5, -80.6, t_launch_s=T_SLV, azimuth_deg=90.0),
        LaunchSpec(
            "R1", "sounding-rocket", 37.8, -75.5, t_launch_s=T_SOUNDING,
            azimuth_deg=90.0, elevation_deg=86.0,
        ),
    ]  # fmt: skip
    res = fly(specs)
    pay = InfraredPayload(mode="scanning", period_s=2.0, nei_w_m2=5e-12)
    sats = [
        InfraredSatellite(f"geo-{i}", geo(lon), pay)
        for i, lon in enumerate((-100.0, -10.0, 80.0, 170.0))
    ]
    sats += [
        InfraredSatellite(f"mol-{i}", molniya(lon, phase_deg=ph), pay)
        for i, (lon, ph) in enumerate(((-90.0, 0.0), (-90.0, 180.0), (90.0, 0.0), (90.0, 180.0)))
    ]
    fires = [
        Fire("bush", -5.0, 20.0, 3_600.0, 32_400.0, 2e5),
        Fire("flare", 26.0, 50.0, 40_000.0, 80_000.0, 5e5),
    ]
    batch, rtruth = simulate(res.trajectories, sats, [], EPOCH, 0.0, DAY_S, seed, events=fires)
    area = DefendedArea.circle_deg("central-us", 40.0, -95.0, 1500.0)
    t0 = time.perf_counter()
    out = run_center(batch, CenterConfig(epoch=EPOCH, defended_areas=(area,)), dt_s=2.0)
    return out, batch, rtruth, time.perf_counter() - t0


@pytest.fixture(scope="module")
def day() -> tuple[Any, Any, Any, float]:
    return quiet_day(1)


def _launch_of(event: Any, rtruth: Any) -> str | None:
    tm = rtruth.as_dict()
    votes = Counter(
        tm.get((str(s), int(q)), "").split("/")[0]
        for s, q in event.report_keys
        if "/" in tm.get((str(s), int(q)), "")
    )
    return votes.most_common(1)[0][0] if votes else None


def test_quiet_day_never_raises_threat(day: tuple[Any, Any, Any, float]) -> None:
    out, batch, _, seconds = day
    levels = Counter(a.level for a in out.alerts)
    n_possible = sum(1 for e in out.events if any(n == "POSSIBLE_LAUNCH" for n, _ in e.level_times))
    print(
        f"\nquiet day: {len(batch.ir['t_s'])} IR reports, center {seconds:.1f} s; alerts by "
        f"level {dict(levels)}; events announced as POSSIBLE_LAUNCH: {n_possible}"
    )
    assert levels.get("THREAT", 0) == 0
    assert levels.get("ATTACK_CONFIRMED", 0) == 0
    assert all(e.level.name not in ("THREAT", "ATTACK_CONFIRMED") for e in out.events)
    # Persistence keeps clutter quiet and mono candidates wait for the detector's kinematic
    # decision. Measured: 19 a day — the space launch, the sounding rocket (twice: its
    # sustainer re-ignites after a coast), the two fires before the detector calls them
    # stationary, and 14 sun glints (always mono) that the IR detector declares boosting;
    # those end NOT_A_THREAT and never reach THREAT (stereo needed for an IR-only THREAT).
    # Rejecting them needs the sun-specular geometry in the IR detector.
    assert n_possible <= 25


def test_space_launch_and_sounding_rocket_dismissed(day: tuple[Any, Any, Any, float]) -> None:
    out, _, rtruth, _ = day
    by_launch: dict[str, list[Any]] = {}
    for e in out.events:
        lid = _launch_of(e, rtruth)
        if lid is not None:
            by_launch.setdefault(lid, []).append(e)
    # The SLV reaches orbit (211 x 2,800 km), but from IR alone its state's perigee is
    # 224 ± 96 km (1 sigma): not above 120 km at 95 % confidence, so it is not called an
    # orbit on that evidence (issue 11) and, its impact unbounded, stays OPEN
    # (impact_uncertain). Until issue 11 this expected "orbit" from the IR heuristics.
    for lid, allowed in (
        ("S1", {("NOT_A_THREAT", "orbit"), ("OPEN", "impact_uncertain")}),
        ("R1", {("NOT_A_THREAT", "sounding_rocket_local_impact")}),
    ):
        assert lid in by_launch, f"{lid}: no event"
        main = max(by_launch[lid], key=lambda e: (int(e.level), len(e.report_keys)))
        assert main.level.name == "LAUNCH", (lid, main.level.name)
        assert (main.disposition, main.reason) in allowed, (lid, main.disposition, main.reason)
