"""The batch entry point: fly many launches in one call, vectorised across missiles.

``fly(specs)`` (or :meth:`FlightSolver.fly` to reuse the per-vehicle tables) takes
:class:`LaunchSpec` values and returns a :class:`FlightResult`: the sampled
:class:`~earlywarn.flight.truth.Trajectories` of every object and one
:class:`FlightEvents` per launch.

For each launch the objects are ``<launch_id>/booster`` (the stack from lift-off to final
burnout or cutoff), ``<launch_id>/rv`` (``/payload`` for space launchers and sounding
rockets) from final burnout on, and ``<launch_id>/<stage name>`` for each spent stage
from its separation on (the last spent stage is pushed back by the vehicle's
``separation_dv_m_s`` so it is a distinct object). Spent stages fly with their own
tumbling drag. Rows are ordered launch by launch: booster, rv/payload, stages.

Aimed launches (:mod:`earlywarn.flight.aim`): the fast model gives ``(A, κ, t_c)``; the
full model (powered flight, then free flight with J2 and drag) is flown; the miss moves a
fictitious aim point (and the apogee goal, for lofted/depressed shots), and the model is
solved again — only for the launches not yet within ``miss_tol_m``. Typically two passes
give a miss of metres. A launch that does not get within the tolerance in
``max_passes`` keeps its last trajectory and gets ``status="aim_not_converged"``.

All times in :class:`FlightEvents` are seconds after lift-off; ``Trajectories`` rows are
in scenario time (``t_launch_s`` added).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from earlywarn.earth.constants import A_M, GM_M3_S2, OMEGA_RAD_S, F
from earlywarn.earth.frames import ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from earlywarn.flight.aim import (
    AimProblem,
    PoweredTable,
    apogee_bounds_m,
    initial_guess,
    solve_aim,
)
from earlywarn.flight.catalog import Vehicle, get_vehicle, load_catalog
from earlywarn.flight.dynamics import EarthModel
from earlywarn.flight.freeflight import (
    ATMOSPHERE_TOP_M,
    FreeFlightPath,
    propagate,
    resample_free,
)
from earlywarn.flight.powered import PoweredPath, StageTable, fly_powered, resample
from earlywarn.flight.truth import Trajectories

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


MAX_LAUNCH_TIME_S = 1e9
"""A launch time is within this of the epoch (either side; about 32 years): beyond it the
float64 seconds of a trajectory's samples lose their sub-millisecond resolution."""


def _finite(name: str, value: object, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number; got {value!r}")
    v = float(value)
    if not (math.isfinite(v) and lo <= v <= hi):
        raise ValueError(f"{name} must be finite and in [{lo}, {hi}]; got {value!r}")
    return v


class FlightStatus(enum.StrEnum):
    """How a launch was flown: ``ok``, or why the flight is not the one asked for."""

    OK = "ok"
    OUT_OF_RANGE = "out_of_range"  # the aim point is beyond reach from this site and direction
    APOGEE_UNREACHABLE = "apogee_unreachable"  # no flight to the aim point has that apogee
    AIM_NOT_CONVERGED = "aim_not_converged"  # reachable, but the aim did not converge


APOGEE_TOL_FRAC = 0.02
"""A lofted or depressed flight whose apogee is off its goal by more than this fraction
(or :data:`APOGEE_TOL_M`, whichever is larger) gets ``apogee_unreachable``."""
APOGEE_TOL_M = 20_000.0


@dataclass(frozen=True)
class Reach:
    """What one vehicle can do from one site towards one aim point (SI).

    ``min_range_m``/``max_range_m``: the minimum-energy minimum range and the maximum
    range of the vehicle (non-rotating Earth, full burn); ``apogee_min_m``/``apogee_max_m``:
    the apogees of the flights that land at this aim point's range (fast model, rotating
    Earth; NaN when none does).
    """

    vehicle: str
    range_m: float
    min_range_m: float
    max_range_m: float
    apogee_min_m: float
    apogee_max_m: float

    def problem(self, apogee_m: float | None) -> str | None:
        """Why a flight to this range (with this apogee goal) cannot be flown, or None."""
        km = 1e-3
        if self.range_m > self.max_range_m:
            return (
                f"aim point is {self.range_m * km:,.0f} km away, beyond the maximum range of "
                f"{self.vehicle!r}, {self.max_range_m * km:,.0f} km"
            )
        if apogee_m is None:
            if self.range_m < self.min_range_m:
                return (
                    f"aim point is {self.range_m * km:,.0f} km away, short of the "
                    f"minimum-energy minimum range of {self.vehicle!r}, "
                    f"{self.min_range_m * km:,.0f} km (give an apogee for a lofted shot)"
                )
            return None
        lo, hi = self.apogee_min_m, self.apogee_max_m
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return (
                f"no flight of {self.vehicle!r} lands {self.range_m * km:,.0f} km away "
                f"(reachable ranges {self.min_range_m * km:,.0f}-"
                f"{self.max_range_m * km:,.0f} km)"
            )
        tol = max(APOGEE_TOL_FRAC * apogee_m, APOGEE_TOL_M)
        if not lo - tol <= apogee_m <= hi + tol:
            return (
                f"apogee {apogee_m * km:,.0f} km is beyond reach: {self.vehicle!r} flights "
                f"that land {self.range_m * km:,.0f} km away reach apogees of about "
                f"{lo * km:,.0f}-{hi * km:,.0f} km"
            )
        return None


@dataclass(frozen=True)
class LaunchSpec:
    """One launch. Give either an aim point (``aim_lat_deg``/``aim_lon_deg``, optional
    ``apogee_km`` for a lofted or depressed trajectory; minimum energy otherwise) or an
    unaimed launch direction (``azimuth_deg``, optional ``elevation_deg`` after pitch-over,
    default the vehicle's nominal). Unaimed launches burn every stage fully.
    """

    launch_id: str
    vehicle: str
    lat_deg: float
    lon_deg: float
    t_launch_s: float = 0.0
    aim_lat_deg: float | None = None
    aim_lon_deg: float | None = None
    apogee_km: float | None = None
    azimuth_deg: float | None = None
    elevation_deg: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.launch_id, str) or not self.launch_id or "/" in self.launch_id:
            raise ValueError(
                f"launch_id must be a non-empty string without '/'; got {self.launch_id!r}"
            )
        if not isinstance(self.vehicle, str):
            raise ValueError(f"vehicle must be a catalog name; got {self.vehicle!r}")
        _finite(f"{self.launch_id}: lat_deg", self.lat_deg, -90.0, 90.0)
        _finite(f"{self.launch_id}: lon_deg", self.lon_deg, -360.0, 360.0)
        lim = MAX_LAUNCH_TIME_S
        _finite(f"{self.launch_id}: t_launch_s", self.t_launch_s, -lim, lim)
        aim = (self.aim_lat_deg, self.aim_lon_deg)
        if (aim[0] is None) != (aim[1] is None):
            raise ValueError(f"{self.launch_id}: give both aim_lat_deg and aim_lon_deg")
        aimed = aim[0] is not None
        if aimed == (self.azimuth_deg is not None):
            raise ValueError(
                f"{self.launch_id}: give either aim_lat_deg/aim_lon_deg (aimed) or "
                "azimuth_deg (unaimed), not both and not neither"
            )
        if aimed:
            _finite(f"{self.launch_id}: aim_lat_deg", self.aim_lat_deg, -90.0, 90.0)
            _finite(f"{self.launch_id}: aim_lon_deg", self.aim_lon_deg, -360.0, 360.0)
            if self.elevation_deg is not None:
                raise ValueError(f"{self.launch_id}: elevation_deg is for unaimed launches")
            if self.apogee_km is not None:
                _finite(f"{self.launch_id}: apogee_km", self.apogee_km, 30.0, 10_000.0)
        else:
            _finite(f"{self.launch_id}: azimuth_deg", self.azimuth_deg, -360.0, 360.0)
            if self.elevation_deg is not None:
                _finite(f"{self.launch_id}: elevation_deg", self.elevation_deg, 1.0, 90.0)
            if self.apogee_km is not None:
                raise ValueError(f"{self.launch_id}: apogee_km needs an aim point")

    @property
    def aimed(self) -> bool:
        return self.aim_lat_deg is not None


@dataclass(frozen=True)
class FlightEvents:
    """What happened in one launch; SI, times in seconds after lift-off.

    Burnout speed and flight-path angle are Earth-relative (ECEF). Altitudes are geodetic
    (WGS84). ``impact_*`` and ``flight_time_s`` are None when the payload does not come
    down (orbit); ``aim_miss_m`` is None for unaimed launches. ``status`` is ``"ok"`` or
    names the trouble (:class:`FlightStatus`): ``"out_of_range"`` (the aim point is within
    the vehicle's non-rotating maximum range, so no error was raised, but the Earth's
    rotation puts it beyond reach in this direction), ``"apogee_unreachable"`` (the
    flight's apogee is off ``apogee_goal_m`` by more than 2 % or 20 km) or
    ``"aim_not_converged"``. The trajectory of such a launch is still the one flown with
    the last parameters tried; :meth:`FlightSolver.reach` says what can be flown.
    """

    launch_id: str
    vehicle: str
    status: FlightStatus
    t_launch_s: float
    launch_lat_rad: float
    launch_lon_rad: float
    azimuth_rad: float
    kick_rad: float
    stage_burnout_s: tuple[float, ...]
    burnout_s: float
    burnout_altitude_m: float
    burnout_speed_m_s: float
    burnout_flight_path_rad: float
    apogee_s: float
    apogee_altitude_m: float
    reentry_s: float | None
    impact_s: float | None
    impact_lat_rad: float | None
    impact_lon_rad: float | None
    ground_range_m: float | None
    reaches_orbit: bool
    orbit_perigee_altitude_m: float | None
    orbit_apogee_altitude_m: float | None
    aim_miss_m: float | None
    vehicle_class: str = ""
    apogee_goal_m: float | None = None


@dataclass(frozen=True)
class FlightResult:
    specs: tuple[LaunchSpec, ...]
    trajectories: Trajectories
    events: tuple[FlightEvents, ...]


# ---------------------------------------------------------------------------- helpers


def ellipsoid_distance_m(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Geodesic distance on WGS84 by Lambert's formula (about 10 m over 10,000 km).

    Lambert (1942), as given e.g. in Bowring-era surveying texts: central angle σ between
    the reduced latitudes, then ``d = a [σ − f/2 (X + Y)]``.
    """
    b1 = np.arctan((1.0 - F) * np.tan(lat1))
    b2 = np.arctan((1.0 - F) * np.tan(lat2))
    dl = lon2 - lon1
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dl / 2) ** 2
    sig = 2.0 * np.arctan2(np.sqrt(h), np.sqrt(np.maximum(1.0 - h, 0.0)))
    p, q = (b1 + b2) / 2.0, (b2 - b1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        x = (sig - np.sin(sig)) * np.sin(p) ** 2 * np.cos(q) ** 2 / np.cos(sig / 2) ** 2
        y = (sig + np.sin(sig)) * np.cos(p) ** 2 * np.sin(q) ** 2 / np.sin(sig / 2) ** 2
        d = A_M * (sig - F / 2.0 * (x + y))
    return np.asarray(np.where(sig > 1e-12, d, 0.0))


def _pad(a: FloatArray, k: int, fill: float) -> FloatArray:
    w = [(0, 0), (0, k - a.shape[1])] + [(0, 0)] * (a.ndim - 2)
    return np.pad(a, w, constant_values=fill)


@dataclass
class _Rows:
    """Rows gathered from several passes into one padded array set (internal)."""

    n: int
    t: list[tuple[IntArray, FloatArray]] = field(default_factory=list)
    r: list[FloatArray] = field(default_factory=list)
    v: list[FloatArray] = field(default_factory=list)
    i: list[FloatArray] = field(default_factory=list)

    def put(
        self, idx: IntArray, t: FloatArray, r: FloatArray, v: FloatArray, inten: FloatArray
    ) -> None:
        self.t.append((idx, t))
        self.r.append(r)
        self.v.append(v)
        self.i.append(inten)

    def build(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        k = max(t.shape[1] for _, t in self.t)
        t_out = np.full((self.n, k), np.nan)
        r_out = np.full((self.n, k, 3), np.nan)
        v_out = np.full((self.n, k, 3), np.nan)
        i_out = np.zeros((self.n, k))
        for (idx, t), r, v, inten in zip(self.t, self.r, self.v, self.i, strict=True):
            t_out[idx] = _pad(t, k, np.nan)
            r_out[idx] = _pad(r, k, np.nan)
            v_out[idx] = _pad(v, k, np.nan)
            i_out[idx] = _pad(inten, k, 0.0)
        return t_out, r_out, v_out, i_out


# ----------------------------------------------------------------------------- solver


class FlightSolver:
    """Flies launches; holds the per-vehicle powered-flight tables it builds for aiming.

    Construction stores parameters; :meth:`fly` does the work. The tables (one batched
    powered flight per vehicle, ~0.1–0.4 s) are built on first use of a vehicle and kept
    in this object, so reuse one solver for many calls. No state outside the object.

    ``powered_step_s`` RK4 step in powered flight (at most a quarter of the shortest
    stage burn), resampled to ``sample_step_s``; ``coast_step_s`` and ``atmo_step_s``
    the free-flight sample spacing above 100 km and the smallest step below
    (``pass_coast_step_s`` the RK4 step above 100 km: at 30 s it moves a 10,000 km impact
    by < 1 m; samples in between are Hermite-interpolated to a few cm); ``miss_tol_m``
    the aim tolerance (the miss after the second pass is
    typically ~100 m, after the third ~1 m); ``max_passes`` full-model flights per aimed
    launch at most; ``orbit_span_s`` how long objects that stay up are followed after lift-off.
    """

    def __init__(
        self,
        catalog: Mapping[str, Vehicle] | None = None,
        *,
        model: EarthModel | None = None,
        powered_step_s: float = 2.0,
        sample_step_s: float = 1.0,
        coast_step_s: float = 10.0,
        pass_coast_step_s: float = 30.0,
        atmo_step_s: float = 1.0,
        miss_tol_m: float = 500.0,
        max_passes: int = 4,
        orbit_span_s: float = 6_000.0,
    ) -> None:
        self.catalog = load_catalog() if catalog is None else catalog
        self.model = EarthModel() if model is None else model
        self.powered_step_s = powered_step_s
        self.sample_step_s = sample_step_s
        self.pass_coast_step_s = pass_coast_step_s
        self.coast_step_s = coast_step_s
        self.atmo_step_s = atmo_step_s
        self.miss_tol_m = miss_tol_m
        self.max_passes = max_passes
        self.orbit_span_s = orbit_span_s
        self._tables: dict[str, PoweredTable] = {}

    def table(self, name: str) -> PoweredTable:
        """The aiming table of a vehicle (built on first request)."""
        if name not in self._tables:
            self._tables[name] = PoweredTable.build(
                get_vehicle(name, self.catalog), self.powered_step_s
            )
        return self._tables[name]

    def max_range_km(self, name: str) -> float:
        """Maximum ground range on a non-rotating Earth, minimum-energy, full burn (km)."""
        return self.table(name).max_range_m / 1e3

    def reach(self, spec: LaunchSpec, apogees: bool = True) -> Reach:
        """What ``spec.vehicle`` can do from ``spec``'s site towards its aim point (no
        flight; the aiming table's fast model). Raises ``ValueError`` for unaimed specs.
        ``apogees=False`` leaves the reachable apogees out (NaN): the range checks of a
        minimum-energy shot need only the range, at a fraction of the cost."""
        if not spec.aimed:
            raise ValueError(f"{spec.launch_id}: reach needs an aimed launch")
        tab = self.table(spec.vehicle)
        deg = math.pi / 180.0
        lat, lon = spec.lat_deg * deg, spec.lon_deg * deg
        alat, alon = float(spec.aim_lat_deg or 0.0) * deg, float(spec.aim_lon_deg or 0.0) * deg
        rng = float(ellipsoid_distance_m(np.array(lat), np.array(lon), np.array(alat),
                                         np.array(alon)))  # fmt: skip
        if not apogees:
            return Reach(spec.vehicle, rng, tab.min_range_m, tab.max_range_m, math.nan, math.nan)
        rot = enu_rotation(np.array([lat]), np.array([lon]))
        trot = enu_rotation(np.array([alat]), np.array([alon]))
        prob = AimProblem(
            site_r=geodetic_to_ecef(np.array([lat]), np.array([lon]), 0.0),
            up=rot[:, 2], north=rot[:, 1], east=rot[:, 0],
            target_r=geodetic_to_ecef(np.array([alat]), np.array([alon]), 0.0),
            t_east=trot[:, 0], t_north=trot[:, 1], apogee_m=np.array([np.nan]),
        )  # fmt: skip
        lo, hi = apogee_bounds_m(tab, prob)
        return Reach(spec.vehicle, rng, tab.min_range_m, tab.max_range_m, lo, hi)

    def problem(self, spec: LaunchSpec) -> str | None:
        """Why ``spec`` cannot be flown as asked (before flying it), or None. Unaimed
        launches always can."""
        if not spec.aimed:
            return None
        apo = None if spec.apogee_km is None else spec.apogee_km * 1e3
        return self.reach(spec).problem(apo)

    # ------------------------------------------------------------------ full model
    def _fly_full(
        self,
        st: StageTable,
        vidx: IntArray,
        r0: FloatArray,
        up: FloatArray,
        north: FloatArray,
        east: FloatArray,
        x: FloatArray,
        body_cdm: FloatArray,
        t_max: FloatArray,
        coarse: bool = False,
    ) -> tuple[PoweredPath, FreeFlightPath]:
        az = np.cos(x[:, 0])[:, None] * north + np.sin(x[:, 0])[:, None] * east
        min_burn = np.where(st.burn_s > 0, st.burn_s, np.inf).min(axis=1)
        f = 2.0 if coarse else 1.0
        step = np.minimum(f * self.powered_step_s, 0.25 * min_burn)[vidx]
        pp = fly_powered(self.model, st, vidx, r0, up, az, x[:, 1], x[:, 2], step)
        ff = propagate(
            self.model,
            pp.burnout_s,
            pp.burnout_r,
            pp.burnout_v,
            body_cdm,
            t_max_s=t_max,
            step_s=f * self.pass_coast_step_s,
            step_atmo_s=f * self.atmo_step_s,
        )
        return pp, ff

    def fly(self, specs: Iterable[LaunchSpec]) -> FlightResult:
        """Fly every launch; see the module docstring."""
        specs_t = tuple(specs)
        if not specs_t:
            raise ValueError("fly needs at least one LaunchSpec")
        for s in specs_t:
            if not isinstance(s, LaunchSpec):
                raise ValueError(f"fly takes LaunchSpec values; got {type(s).__name__}")
        ids = [s.launch_id for s in specs_t]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"launch_id values must be unique; repeated: {dup}")
        names = sorted({s.vehicle for s in specs_t})
        vehicles = [get_vehicle(nm, self.catalog) for nm in names]
        vmap = {nm: i for i, nm in enumerate(names)}
        n = len(specs_t)
        vidx = np.array([vmap[s.vehicle] for s in specs_t], dtype=np.intp)
        st = StageTable.build(vehicles)
        deg = np.pi / 180.0
        lat = np.array([s.lat_deg for s in specs_t]) * deg
        lon = np.array([s.lon_deg for s in specs_t]) * deg
        r0 = geodetic_to_ecef(lat, lon, 0.0)
        rot = enu_rotation(lat, lon)
        east, north, up = rot[:, 0], rot[:, 1], rot[:, 2]
        aimed = np.array([s.aimed for s in specs_t])
        for s in specs_t:
            v = vehicles[vmap[s.vehicle]]
            if s.aimed and not v.aimable:
                raise ValueError(
                    f"{s.launch_id}: vehicle {v.name!r} cannot be aimed at a point; give "
                    "azimuth_deg (and elevation_deg) instead"
                )
        body_m = np.array([v.body.mass_kg for v in vehicles])[vidx]
        body_cda = np.array([v.body.cd * v.body.area_m2 for v in vehicles])[vidx]
        body_cdm = 0.5 * body_cda / body_m
        orbital = np.array([v.orbital for v in vehicles])[vidx]
        t_max = np.where(orbital, self.orbit_span_s, 6.0 * 3600.0)

        # unaimed: given direction, full burn
        x = np.zeros((n, 3))
        for i, s in enumerate(specs_t):
            if not s.aimed:
                v = vehicles[vmap[s.vehicle]]
                el = v.nominal_elevation_deg if s.elevation_deg is None else s.elevation_deg
                x[i] = (float(s.azimuth_deg or 0.0) * deg, (90.0 - el) * deg, v.burnout_s[-1])

        # aimed: targets, range checks, first solution from the fast model
        tgt = np.zeros((n, 3))
        t_rot = np.zeros((n, 3, 3))
        apo_goal = np.full(n, np.nan)
        ia = np.flatnonzero(aimed)
        if ia.size:
            alat = np.array([specs_t[i].aim_lat_deg for i in ia], dtype=np.float64) * deg
            alon = np.array([specs_t[i].aim_lon_deg for i in ia], dtype=np.float64) * deg
            tgt[ia] = geodetic_to_ecef(alat, alon, 0.0)
            t_rot[ia] = enu_rotation(alat, alon)
            apo_goal[ia] = [
                np.nan if (ak := specs_t[i].apogee_km) is None else float(ak) * 1e3 for i in ia
            ]
            rng = ellipsoid_distance_m(lat[ia], lon[ia], alat, alon)
            for j, i in enumerate(ia.tolist()):
                tab = self.table(specs_t[i].vehicle)
                if rng[j] > tab.max_range_m:
                    raise ValueError(
                        f"{specs_t[i].launch_id}: aim point is {rng[j] / 1e3:,.0f} km away, beyond "
                        f"the maximum range of {specs_t[i].vehicle!r}, "
                        f"{tab.max_range_m / 1e3:,.0f} km"
                    )
                if rng[j] < tab.min_range_m and np.isnan(apo_goal[i]):
                    raise ValueError(
                        f"{specs_t[i].launch_id}: aim point is {rng[j] / 1e3:,.0f} km away, "
                        f"short of the minimum-energy minimum range of {specs_t[i].vehicle!r}, "
                        f"{tab.min_range_m / 1e3:,.0f} km (give apogee_km for a lofted shot)"
                    )
        prob = AimProblem(
            site_r=r0,
            up=up,
            north=north,
            east=east,
            target_r=tgt.copy(),
            t_east=t_rot[:, 0],
            t_north=t_rot[:, 1],
            apogee_m=apo_goal.copy(),
        )
        converged_model = np.ones(n, dtype=bool)

        def solve(sel: IntArray, warm: bool) -> None:
            for nm in names:
                sub = sel[np.asarray([specs_t[i].vehicle == nm for i in sel], dtype=bool)]
                if sub.size == 0:
                    continue
                tab = self.table(nm)
                p = prob.take(sub)
                x0 = x[sub] if warm else initial_guess(tab, p)
                sol = solve_aim(tab, p, x0)
                x[sub] = sol.x
                converged_model[sub] = sol.converged

        if ia.size:
            solve(ia, warm=False)

        # passes of the full model
        boost = _Rows(n)
        sep_r = np.full((n, st.ign_s.shape[1], 3), np.nan)
        sep_v = np.full((n, st.ign_s.shape[1], 3), np.nan)
        sep_t = np.full((n, st.ign_s.shape[1]), np.nan)
        miss = np.full(n, np.nan)
        apo_alt = np.full(n, np.nan)
        impact = np.full((n, 3), np.nan)
        # released objects: one free-flight row per launch (the payload) and per real stage
        ns = st.n_stages[vidx]
        smax = st.ign_s.shape[1]
        real = np.arange(smax)[None, :] < ns[:, None]
        li, si = np.nonzero(real)  # launch index, stage index of each stage row
        last = si == ns[li] - 1
        dv_sep = np.where(last, np.array([v.separation_dv_m_s for v in vehicles])[vidx][li], 0.0)
        stage_objs = [
            (vehicles[vidx[a]], vehicles[vidx[a]].stages[b]) for a, b in zip(li, si, strict=True)
        ]
        m_dry = np.array([s_.dry_kg for _, s_ in stage_objs])
        m_prop = np.array([s_.propellant_kg for _, s_ in stage_objs])
        cda_sp = np.array([s_.spent_cd * s_.area_m2 for _, s_ in stage_objs])
        body_rows = _Rows(n)
        stage_rows = _Rows(li.size)
        min_burn = np.where(st.burn_s > 0, st.burn_s, np.inf).min(axis=1)
        p_step = np.minimum(self.powered_step_s, 0.25 * min_burn)[vidx]

        # a coarse probe flight (double steps) of the aimed launches measures the model's
        # miss; its trajectories are not kept
        probe = bool(ia.size) and self.max_passes > 1
        todo = ia if probe else np.arange(n)
        for k in range(self.max_passes + int(probe)):
            coarse = probe and k == 0
            if coarse:
                _, ff = self._fly_full(
                    st, vidx[todo], r0[todo], up[todo], north[todo], east[todo], x[todo],
                    body_cdm[todo], t_max[todo], coarse,
                )  # fmt: skip
                impact[todo] = np.where(ff.impacted[:, None], ff.end_r, np.nan)
                _, _, hh = ecef_to_geodetic(ff.r)
            else:
                # full model: powered flight, then the payload and every spent stage in
                # one free-flight batch, sampled for output
                az = np.cos(x[todo, :1]) * north[todo] + np.sin(x[todo, :1]) * east[todo]
                pp = fly_powered(
                    self.model, st, vidx[todo], r0[todo], up[todo], az, x[todo, 1],
                    x[todo, 2], p_step[todo],
                )  # fmt: skip
                tb, rb, vb, ib = resample(pp, self.sample_step_s)
                boost.put(todo, tb, rb, vb, ib)
                sep_t[todo], sep_r[todo] = pp.stage_end_s, pp.stage_end_r
                sep_v[todo] = pp.stage_end_v
                srow = np.flatnonzero(np.isin(li, todo))
                sl, ss = li[srow], si[srow]
                vs = sep_v[sl, ss]
                vs = vs - dv_sep[srow, None] * vs / np.linalg.norm(vs, axis=1, keepdims=True)
                # an early cutoff leaves propellant in the last stage
                burned = (sep_t[sl, ss] - st.ign_s[vidx[sl], ss]) / np.maximum(
                    st.burn_s[vidx[sl], ss], 1e-9
                )
                left = m_prop[srow] * np.clip(1.0 - burned, 0.0, 1.0)
                cdm_all = np.concatenate(
                    [body_cdm[todo], 0.5 * cda_sp[srow] / (m_dry[srow] + left)]
                )
                m = todo.size
                fs = propagate(
                    self.model,
                    np.concatenate([pp.burnout_s, sep_t[sl, ss]]),
                    np.concatenate([pp.burnout_r, sep_r[sl, ss]]),
                    np.concatenate([pp.burnout_v, vs]),
                    cdm_all,
                    t_max_s=np.concatenate([t_max[todo], t_max[sl]]),
                    step_s=self.pass_coast_step_s,
                    # tumbling stages (drag uncertain by tens of %) take twice the RV's step
                    step_atmo_s=np.concatenate(
                        [np.full(m, self.atmo_step_s), np.full(srow.size, 2.0 * self.atmo_step_s)]
                    ),
                )
                impact[todo] = np.where(fs.impacted[:m, None], fs.end_r[:m], np.nan)
                _, _, hh = ecef_to_geodetic(fs.r[:m])
                t_fs, r_fs, v_fs = resample_free(self.model, fs, cdm_all, self.coast_step_s)
                zeros = np.zeros(t_fs.shape)
                body_rows.put(todo, t_fs[:m], r_fs[:m], v_fs[:m], zeros[:m])
                stage_rows.put(srow, t_fs[m:], r_fs[m:], v_fs[m:], zeros[m:])
            # apogee (for lofted goals): the highest sample
            apo_alt[todo] = np.nanmax(hh, axis=1)
            sel = todo[aimed[todo]]
            if sel.size == 0:
                break
            dm = impact[sel] - tgt[sel]
            miss[sel] = np.linalg.norm(dm, axis=1)
            bad = ~(miss[sel] <= self.miss_tol_m)
            if coarse:
                bad[:] = True  # every aimed launch is corrected, then all are flown
            nxt = np.arange(n) if coarse else sel[bad]
            if not coarse:  # beyond reach (model fails at full burn): flying again won't help
                pinned = ~converged_model & (x[:, 2] >= st.final_end_s[vidx] - 1e-6)
                nxt = nxt[~pinned[nxt]]
            upd = nxt[aimed[nxt]] if not coarse else sel
            if nxt.size == 0 or k == self.max_passes - 1 + int(probe):
                break
            # move the fictitious aim point by the miss (east/north at the target),
            # and the apogee goal by its error
            if upd.size:
                dmb = impact[upd] - tgt[upd]
                de = (dmb * t_rot[upd, 0]).sum(axis=1)
                dn = (dmb * t_rot[upd, 1]).sum(axis=1)
                shifted = (
                    prob.target_r[upd] - de[:, None] * t_rot[upd, 0] - dn[:, None] * t_rot[upd, 1]
                )
                flat, flon, _ = ecef_to_geodetic(shifted)
                new_t = geodetic_to_ecef(flat, flon, 0.0)
                new_rot = enu_rotation(flat, flon)
                tr, te, tn = prob.target_r.copy(), prob.t_east.copy(), prob.t_north.copy()
                ag = prob.apogee_m.copy()
                tr[upd], te[upd], tn[upd] = new_t, new_rot[:, 0], new_rot[:, 1]
                lofted = ~np.isnan(apo_goal[upd])
                ag[upd] = np.where(lofted, ag[upd] + (apo_goal[upd] - apo_alt[upd]), np.nan)
                prob = AimProblem(prob.site_r, prob.up, prob.north, prob.east, tr, te, tn, ag)
                solve(upd, warm=True)
            todo = nxt

        tb_all, rb_all, vb_all, ib_all = boost.build()
        tf_all, rf_all, vf_all, _ = body_rows.build()
        ts_st, rs_st, vs_st, _ = stage_rows.build()
        miss = np.where(aimed, np.linalg.norm(impact - tgt, axis=1), np.nan)
        # a miss with the final stage burning to depletion: beyond reach from this site in
        # this direction (the Earth's rotation takes up to ~15 % off a westward range)
        full = x[:, 2] >= st.final_end_s[vidx] - 1e-6
        status = np.where(aimed & ~(miss <= self.miss_tol_m), "aim_not_converged", "ok")
        status = np.where((status != "ok") & full, "out_of_range", status)
        # a lofted or depressed goal the flight did not reach: the flight is not the one asked
        apo_err = np.abs(apo_alt - apo_goal)
        apo_bad = apo_err > np.maximum(APOGEE_TOL_FRAC * apo_goal, APOGEE_TOL_M)
        status = np.where(np.isfinite(apo_goal) & apo_bad, "apogee_unreachable", status)

        # events
        events = self._events(
            specs_t, vehicles, vmap, x, lat, lon, tb_all, rb_all, vb_all, tf_all, rf_all,
            vf_all, sep_t, impact, miss, status, tgt,
        )  # fmt: skip

        # trajectories, launch by launch
        t0 = np.array([s.t_launch_s for s in specs_t])
        kinds_body = [
            "payload" if vehicles[vidx[i]].vehicle_class in ("SLV", "SOUNDING") else "rv"
            for i in range(n)
        ]
        obj_id: list[str] = []
        obj_launch: list[str] = []
        obj_kind: list[str] = []
        src: list[tuple[int, int]] = []  # (block, row in block)
        st_rows = {(int(a), int(b)): j for j, (a, b) in enumerate(zip(li, si, strict=True))}
        for i, s in enumerate(specs_t):
            obj_id += [f"{s.launch_id}/booster", f"{s.launch_id}/{kinds_body[i]}"]
            obj_launch += [s.launch_id, s.launch_id]
            obj_kind += ["booster", kinds_body[i]]
            src += [(0, i), (1, i)]
            v = vehicles[vidx[i]]
            for b, stg in enumerate(v.stages):
                obj_id.append(f"{s.launch_id}/{stg.name}")
                obj_launch.append(s.launch_id)
                obj_kind.append("stage")
                src.append((2, st_rows[(i, b)]))
        k = max(tb_all.shape[1], tf_all.shape[1], ts_st.shape[1])
        blocks_t = [_pad(tb_all, k, np.nan), _pad(tf_all, k, np.nan), _pad(ts_st, k, np.nan)]
        blocks_r = [_pad(rb_all, k, np.nan), _pad(rf_all, k, np.nan), _pad(rs_st, k, np.nan)]
        blocks_v = [_pad(vb_all, k, np.nan), _pad(vf_all, k, np.nan), _pad(vs_st, k, np.nan)]
        blocks_i = [_pad(ib_all, k, 0.0), np.zeros((n, k)), np.zeros((ts_st.shape[0], k))]
        launch_of = [0] * len(src)
        for j, (blk, row) in enumerate(src):
            launch_of[j] = row if blk < 2 else int(li[row])
        offs = np.cumsum([0, n, n])
        flat_idx = np.array([offs[b] + r for b, r in src], dtype=np.intp)
        t_all = np.concatenate(blocks_t)[flat_idx] + t0[np.array(launch_of)][:, None]
        traj = Trajectories(
            object_id=tuple(obj_id),
            launch_id=tuple(obj_launch),
            kind=tuple(obj_kind),
            t_s=t_all,
            r_ecef_m=np.concatenate(blocks_r)[flat_idx],
            v_ecef_m_s=np.concatenate(blocks_v)[flat_idx],
            intensity_w_sr=np.concatenate(blocks_i)[flat_idx],
            rcs_m2=np.array(
                [
                    vehicles[vidx[launch_of[j]]].body.rcs_m2
                    if b == 1
                    else (0.0 if b == 0 else stage_objs[r][1].rcs_m2)
                    for j, (b, r) in enumerate(src)
                ]
            ),
        )
        return FlightResult(specs=specs_t, trajectories=traj, events=events)

    def _events(
        self,
        specs: Sequence[LaunchSpec],
        vehicles: Sequence[Vehicle],
        vmap: Mapping[str, int],
        x: FloatArray,
        lat: FloatArray,
        lon: FloatArray,
        tb: FloatArray,
        rb: FloatArray,
        vb: FloatArray,
        tf: FloatArray,
        rf: FloatArray,
        vf: FloatArray,
        sep_t: FloatArray,
        impact: FloatArray,
        miss: FloatArray,
        status: npt.NDArray[np.str_],
        tgt: FloatArray,
    ) -> tuple[FlightEvents, ...]:
        n = len(specs)
        rows = np.arange(n)
        nb = (~np.isnan(tb)).sum(axis=1) - 1
        r_bo, v_bo, t_bo = rb[rows, nb], vb[rows, nb], tb[rows, nb]
        _, _, h_bo = ecef_to_geodetic(r_bo)
        sp = np.linalg.norm(v_bo, axis=1)
        gam = np.arcsin((r_bo * v_bo).sum(axis=1) / np.linalg.norm(r_bo, axis=1) / sp)
        _, _, h_f = ecef_to_geodetic(rf)
        hf = np.where(np.isnan(tf), -np.inf, h_f)
        ia = np.argmax(hf, axis=1)
        # parabola through the highest sample and its neighbours (time and height)
        i0 = np.clip(ia, 1, hf.shape[1] - 2)
        ta, tm_, tc = tf[rows, i0 - 1], tf[rows, i0], tf[rows, i0 + 1]
        ya, ym, yc = hf[rows, i0 - 1], hf[rows, i0], hf[rows, i0 + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            d1, d2 = (ym - ya) / (tm_ - ta), (yc - ym) / (tc - tm_)
            curv = (d2 - d1) / (tc - ta)
            t_apo = 0.5 * (ta + tm_) - d1 / (2.0 * curv)
            # the parabola (Newton form) at t_apo
            h_apo = ya + d1 * (t_apo - ta) + curv * (t_apo - ta) * (t_apo - tm_)
        good = np.isfinite(t_apo) & (t_apo > ta) & (t_apo < tc) & (curv < 0)
        t_apo = np.where(good, t_apo, tf[rows, ia])
        h_apo = np.where(good, np.maximum(h_apo, hf[rows, ia]), hf[rows, ia])
        # reentry: the descending crossing of 100 km after apogee
        kk = np.arange(hf.shape[1])[None, :]
        below = (hf < ATMOSPHERE_TOP_M) & (kk > ia[:, None]) & ~np.isnan(tf)
        jr = np.argmax(below, axis=1)
        has_re = below.any(axis=1) & (jr > 0)
        jr0 = np.maximum(jr - 1, 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            fr = (hf[rows, jr0] - ATMOSPHERE_TOP_M) / (hf[rows, jr0] - hf[rows, jr])
            t_re = tf[rows, jr0] + fr * (tf[rows, jr] - tf[rows, jr0])
        nfv = (~np.isnan(tf)).sum(axis=1) - 1
        t_end = tf[rows, nfv]
        imp_ok: npt.NDArray[np.bool_] = np.asarray(np.isfinite(impact).all(axis=1))
        ilat, ilon, _ = ecef_to_geodetic(np.where(imp_ok[:, None], impact, 0.0))
        grange = ellipsoid_distance_m(lat, lon, ilat, ilon)
        # osculating orbit at burnout (inertial velocity) for objects that stay up
        w = np.array([0.0, 0.0, OMEGA_RAD_S])
        vi = v_bo + np.cross(w, r_bo)
        rn = np.linalg.norm(r_bo, axis=1)
        en = 0.5 * (vi * vi).sum(axis=1) - GM_M3_S2 / rn
        hmom = np.linalg.norm(np.cross(r_bo, vi), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            a_ax = -GM_M3_S2 / (2.0 * en)
            ecc = np.sqrt(np.maximum(1.0 - hmom**2 / (GM_M3_S2 * a_ax), 0.0))
        peri = a_ax * (1.0 - ecc) - A_M  # altitudes above the equatorial radius
        apo_o = a_ax * (1.0 + ecc) - A_M
        out = []
        for i, s in enumerate(specs):
            v = vehicles[vmap[s.vehicle]]
            orbit = (not imp_ok[i]) and bool(en[i] < 0.0) and bool(peri[i] > ATMOSPHERE_TOP_M)
            out.append(
                FlightEvents(
                    launch_id=s.launch_id,
                    vehicle=s.vehicle,
                    status=FlightStatus(str(status[i])),
                    t_launch_s=float(s.t_launch_s),
                    launch_lat_rad=float(lat[i]),
                    launch_lon_rad=float(lon[i]),
                    azimuth_rad=float(np.mod(x[i, 0], 2.0 * np.pi)),
                    kick_rad=float(x[i, 1]),
                    stage_burnout_s=tuple(float(t) for t in sep_t[i, : len(v.stages)]),
                    burnout_s=float(t_bo[i]),
                    burnout_altitude_m=float(h_bo[i]),
                    burnout_speed_m_s=float(sp[i]),
                    burnout_flight_path_rad=float(gam[i]),
                    apogee_s=float(t_apo[i]),
                    apogee_altitude_m=float(h_apo[i]),
                    reentry_s=float(t_re[i]) if has_re[i] else None,
                    impact_s=float(t_end[i]) if imp_ok[i] else None,
                    impact_lat_rad=float(ilat[i]) if imp_ok[i] else None,
                    impact_lon_rad=float(ilon[i]) if imp_ok[i] else None,
                    ground_range_m=float(grange[i]) if imp_ok[i] else None,
                    reaches_orbit=orbit,
                    orbit_perigee_altitude_m=float(peri[i]) if orbit else None,
                    orbit_apogee_altitude_m=float(apo_o[i]) if orbit else None,
                    aim_miss_m=float(miss[i]) if s.aimed else None,
                    vehicle_class=v.vehicle_class,
                    apogee_goal_m=None if s.apogee_km is None else float(s.apogee_km) * 1e3,
                )
            )
        return tuple(out)


def fly(specs: Iterable[LaunchSpec], *, solver: FlightSolver | None = None) -> FlightResult:
    """Fly launches with a new (or the given) :class:`FlightSolver`."""
    return (FlightSolver() if solver is None else solver).fly(specs)
