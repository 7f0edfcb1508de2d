"""The output tables of a run: the truth samples and what the center estimated over time.

Plain Arrow tables, units in the column names; :mod:`earlywarn.run.outputs` writes them
as ``truth.parquet`` and ``tracks.parquet``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from earlywarn.center import CenterOutput
from earlywarn.earth.frames import ecef_to_geodetic
from earlywarn.flight import Trajectories


def truth_table(truth: Trajectories) -> pa.Table:
    """Every object's samples, one row each, units in the column names."""
    valid = ~np.isnan(truth.t_s)
    obj = np.broadcast_to(np.arange(truth.n_objects)[:, None], truth.t_s.shape)[valid]
    r = truth.r_ecef_m[valid]
    v = truth.v_ecef_m_s[valid]
    lat, lon, h = ecef_to_geodetic(r) if r.size else (np.zeros(0),) * 3
    ids = np.asarray(truth.object_id, dtype=object)
    return pa.table(
        {
            "object_id": pa.array(ids[obj].astype(str) if obj.size else [], pa.string()),
            "launch_id": pa.array(
                np.asarray(truth.launch_id, dtype=object)[obj].astype(str) if obj.size else [],
                pa.string(),
            ),
            "kind": pa.array(
                np.asarray(truth.kind, dtype=object)[obj].astype(str) if obj.size else [],
                pa.string(),
            ),
            "t_s": truth.t_s[valid],
            "x_m": r[:, 0],
            "y_m": r[:, 1],
            "z_m": r[:, 2],
            "vx_m_s": v[:, 0],
            "vy_m_s": v[:, 1],
            "vz_m_s": v[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "alt_km": h / 1e3,
            "intensity_w_sr": truth.intensity_w_sr[valid],
        }
    )


_TRACK_SCHEMA = pa.schema(
    [("event_id", pa.string()), ("source", pa.string())]
    + [(k, pa.float64()) for k in ("t_s", "x_m", "y_m", "z_m", "lat_deg", "lon_deg", "alt_km")]
)


def _track_block(
    event_ids: list[str],
    source: str,
    t_s: npt.ArrayLike,
    r_ecef_m: npt.NDArray[np.float64],
    geodetic: tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike] | None = None,
) -> pa.Table:
    """Rows of one source; geodetic (lat rad, lon rad, h m) from the positions unless given."""
    lat, lon, h = ecef_to_geodetic(r_ecef_m) if geodetic is None else geodetic
    return pa.table(
        {
            "event_id": event_ids,
            "source": [source] * len(event_ids),
            "t_s": np.asarray(t_s, dtype=float),
            "x_m": r_ecef_m[:, 0],
            "y_m": r_ecef_m[:, 1],
            "z_m": r_ecef_m[:, 2],
            "lat_deg": np.degrees(lat),
            "lon_deg": np.degrees(lon),
            "alt_km": np.asarray(h, dtype=float) / 1e3,
        },
        schema=_TRACK_SCHEMA,
    )


def tracks_table(out: CenterOutput) -> pa.Table:
    """What the center estimated over time: IR event tracks, confirmed radar tracks (at
    each update, named by the event that holds them) and impact predictions."""
    ir_event = {ev.ir_event_id: ev.event_id for ev in out.events if ev.ir_event_id}
    track_event = {tid: ev.event_id for ev in out.events for tid in ev.radar_track_ids}
    blocks = [_TRACK_SCHEMA.empty_table()]
    for key, t, r in out.ir_tracks:
        if t.size:
            blocks.append(_track_block([ir_event.get(key, key)] * t.size, "ir", t, r))
    if out.track_log:
        ids = [track_event.get(tid, f"radar-track-{tid}") for _, tid, _ in out.track_log]
        x = np.array([row[2][:3] for row in out.track_log])
        blocks.append(_track_block(ids, "radar", [row[0] for row in out.track_log], x))
    if out.impacts:
        imp = out.impacts
        n = len(imp)
        blocks.append(
            _track_block(
                [i.event_id for i in imp],
                "impact_prediction",
                [i.t_s for i in imp],
                np.full((n, 3), np.nan),
                ([i.lat_rad for i in imp], [i.lon_rad for i in imp], np.zeros(n)),
            )
        )
    return pa.concat_tables(blocks)
