"""Catalogs of resident space objects: the four file formats, their errors, the sample.

The same objects written as OMM JSON, CSV and XML and as TLE must load to the same
states (TLE to within its rounding); a bad record is named by file, record, field, value
and what is allowed; the shipped sample holds what ``tools/make_sample_catalog.py`` and
the docs say, checked against closed forms.
"""

from __future__ import annotations

import csv
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from sgp4.exporter import export_tle

from earlywarn.earth.constants import SIDEREAL_DAY_S
from earlywarn.space.catalog import (
    RCS_SIZE_M2,
    SAMPLE_EPOCH,
    Catalog,
    load_catalog,
    sample_catalog,
    sample_records,
)
from earlywarn.space.orbits import j2_secular_rates

EPOCH = "2026-01-01T00:00:00Z"
T_S = np.linspace(0.0, 86400.0, 97)

# element fields of a CCSDS OMM XML segment (CCSDS 502.0-B-3 §3), user-defined the rest
_META = ("OBJECT_NAME", "OBJECT_ID", "CENTER_NAME", "REF_FRAME", "TIME_SYSTEM",
         "MEAN_ELEMENT_THEORY")  # fmt: skip
_MEAN = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
         "ARG_OF_PERICENTER", "MEAN_ANOMALY")  # fmt: skip
_TLE = ("EPHEMERIS_TYPE", "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO",
        "REV_AT_EPOCH", "BSTAR", "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")  # fmt: skip


def _some_records() -> list[dict[str, object]]:
    """One object of each orbit class of the sample (LEO, debris, GEO, Molniya, decaying)."""
    recs = sample_records()
    want = ("SSO 01", "STATION 01", "R/B 01", "DEB 001", "GEO 01", "MOLNIYA 01", "DECAY 04")
    return [r for r in recs if any(str(r["OBJECT_NAME"]).endswith(w) for w in want)]


def _write_csv(recs: list[dict[str, object]], path: Path) -> None:
    keys = sorted({k for r in recs for k in r})
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        w.writerows(recs)


def _write_xml(recs: list[dict[str, object]], path: Path) -> None:
    ndm = ET.Element("ndm")
    for r in recs:
        body = ET.SubElement(ET.SubElement(ndm, "omm", id="CCSDS_OMM_VERS", version="2.0"), "body")
        seg = ET.SubElement(body, "segment")
        meta = ET.SubElement(seg, "metadata")
        data = ET.SubElement(seg, "data")
        blocks = {k: meta for k in _META}
        mean, tle = ET.SubElement(data, "meanElements"), ET.SubElement(data, "tleParameters")
        blocks |= {k: mean for k in _MEAN} | {k: tle for k in _TLE}
        user = ET.SubElement(data, "userDefinedParameters")
        for k, v in r.items():
            if k in blocks:
                ET.SubElement(blocks[k], k).text = str(v)
            else:
                ET.SubElement(user, "USER_DEFINED", parameter=k).text = str(v)
    ET.ElementTree(ndm).write(path, encoding="utf-8", xml_declaration=True)


def _write_tle(cat: Catalog, path: Path) -> None:
    lines = []
    for o in cat.objects:
        l1, l2 = export_tle(o.orbit.satrec)
        lines += [f"0 {o.name}", l1, l2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_json_csv_xml_and_tle_load_to_the_same_states(tmp_path: Path) -> None:
    recs = _some_records()
    assert len(recs) == 7
    (tmp_path / "c.json").write_text(json.dumps(recs), encoding="utf-8")
    _write_csv(recs, tmp_path / "c.csv")
    _write_xml(recs, tmp_path / "c.xml")
    ref = load_catalog(tmp_path / "c.json")
    _write_tle(ref, tmp_path / "c.3le")
    r_ref = ref.states_ecef(EPOCH, T_S).r_m
    assert np.isfinite(r_ref).all()
    for suffix in ("csv", "xml"):
        cat = load_catalog(str(tmp_path / f"c.{suffix}"))
        assert [(o.norad_id, o.name, o.object_type, o.rcs_m2) for o in cat.objects] == [
            (o.norad_id, o.name, o.object_type, o.rcs_m2) for o in ref.objects
        ]
        # the same numbers as text: the same element sets, bit for bit
        np.testing.assert_array_equal(cat.states_ecef(EPOCH, T_S).r_m, r_ref)
    tle = load_catalog(tmp_path / "c.3le")
    assert [o.name for o in tle.objects] == [o.name for o in ref.objects]
    assert {o.object_type for o in tle.objects} == {"unknown"}  # TLEs carry no type
    assert {o.rcs_m2 for o in tle.objects} == {RCS_SIZE_M2["MEDIUM"]}
    # TLE rounding: epoch to 1e-8 day (0.9 ms, ~7 m along track), BSTAR to 5 digits,
    # angles as written (4 decimals): tens of metres over a day, never kilometres
    err = np.linalg.norm(tle.states_ecef(EPOCH, T_S).r_m - r_ref, axis=-1)
    assert err.max() < 200.0, err.max(axis=1)
    assert err.max() > 0.0  # the TLE path really went through different text


def test_types_and_cross_sections_are_read(tmp_path: Path) -> None:
    recs = _some_records()
    (tmp_path / "c.json").write_text(json.dumps(recs), encoding="utf-8")
    cat = load_catalog(tmp_path / "c.json")
    want_type = {"PAYLOAD": "payload", "ROCKET BODY": "rocket_body", "DEBRIS": "debris"}
    for r, o in zip(recs, cat.objects, strict=True):
        assert o.object_type == want_type[str(r["OBJECT_TYPE"])]
        assert o.rcs_m2 == RCS_SIZE_M2[str(r["RCS_SIZE"])]


def _refused(path: Path, *parts: str) -> None:
    with pytest.raises(ValueError) as info:
        load_catalog(path)
    msg = str(info.value)
    for part in (path.name, *parts):
        assert part in msg, (part, msg)


def _bad(tmp_path: Path, name: str, text: str, *parts: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    _refused(tmp_path / name, *parts)


def test_bad_records_are_named(tmp_path: Path) -> None:
    recs = _some_records()[:3]
    bad = [dict(r) for r in recs]
    bad[1]["MEAN_MOTION"] = "fast"
    _bad(tmp_path, "a.json", json.dumps(bad), "record 2", "MEAN_MOTION", "'fast'", "rev/day")
    bad = [dict(r) for r in recs]
    bad[2]["ECCENTRICITY"] = 1.5
    _write_csv(bad, tmp_path / "b.csv")
    _refused(tmp_path / "b.csv", "row 3 (line 4)", "ECCENTRICITY", "'1.5'", "0 ≤ e < 1")
    bad = [dict(r) for r in recs]
    bad[0]["RCS_SIZE"] = "HUGE"
    _write_xml(bad, tmp_path / "c.xml")
    _refused(tmp_path / "c.xml", "segment 1", "RCS_SIZE", "'HUGE'", "SMALL, MEDIUM, LARGE")
    bad = [dict(r) for r in recs]
    bad[0]["OBJECT_TYPE"] = "SATELLITE"
    _bad(tmp_path, "d.json", json.dumps(bad), "record 1", "OBJECT_TYPE", "'SATELLITE'",
         "ROCKET BODY")  # fmt: skip
    # TLE: a corrupted checksum in the second set (lines 4-6 of the file)
    (tmp_path / "ok.json").write_text(json.dumps(recs), encoding="utf-8")
    _write_tle(load_catalog(tmp_path / "ok.json"), tmp_path / "e.tle")
    lines = (tmp_path / "e.tle").read_text(encoding="utf-8").splitlines()
    last = lines[5]
    lines[5] = last[:-1] + str((int(last[-1]) + 1) % 10)
    _bad(tmp_path, "e.tle", "\n".join(lines), "line 4", "checksum")
    _bad(tmp_path, "f.xml", "<ndm><omm>", "not well-formed XML", "line 1")
    _bad(tmp_path, "g.csv", "", "empty CSV")
    _bad(tmp_path, "h.json", "{not json", "not valid JSON", "line 1")
    _bad(tmp_path, "i.kvn", "x", "unknown format", "'.kvn'", ".csv (OMM)", ".tle")
    with pytest.raises(ValueError, match=r"cannot read the file"):
        load_catalog(tmp_path / "missing.json")


# ---- the shipped sample -----------------------------------------------------------------

_MU_KM = 398600.8  # WGS72: the sample's mean motions are two-body ones with SGP4's μ
_RE_KM = 6378.135


def _class(r: dict[str, object]) -> str:
    return str(r["OBJECT_NAME"]).removeprefix("EW-SAMPLE ").rsplit(" ", 1)[0]


def _a_km(r: dict[str, object]) -> float:
    n = float(r["MEAN_MOTION"]) * 2 * math.pi / 86400.0  # type: ignore[arg-type]
    return (_MU_KM / n**2) ** (1 / 3)


def test_sample_holds_what_the_docs_say() -> None:
    recs = sample_records()
    counts: dict[str, int] = {}
    for r in recs:
        counts[_class(r)] = counts.get(_class(r), 0) + 1
    assert counts == {"SSO": 60, "STATION": 10, "BROADBAND": 80, "R/B": 30, "DEB": 100,
                      "GEO": 8, "MOLNIYA": 4, "DECAY": 5}  # fmt: skip
    cat = sample_catalog()
    assert cat.counts_by_type() == {"payload": 162, "rocket_body": 33, "debris": 102,
                                    "unknown": 0}  # fmt: skip
    assert all(90001 <= o.norad_id <= 99999 for o in cat.objects)
    for r in recs:
        cls, a, e, i = _class(r), _a_km(r), float(r["ECCENTRICITY"]), float(r["INCLINATION"])  # type: ignore[arg-type]
        hp, ha = a * (1 - e) - _RE_KM, a * (1 + e) - _RE_KM
        if cls == "SSO":
            assert 700 <= a - _RE_KM <= 800 and e < 0.002
            # sun-synchronous: the J2 node rate is one turn per tropical year (Vallado 9-41)
            raan_dot, _, _ = j2_secular_rates(a * 1e3, e, math.radians(i))
            assert math.degrees(float(raan_dot)) * 86400 == pytest.approx(360 / 365.2422, rel=0.01)
        elif cls == "STATION":
            assert 400 < hp < ha < 440 and abs(i - 51.6) < 0.1
        elif cls == "BROADBAND":
            assert 540 < hp < ha < 560 and abs(i - 53.0) < 0.05
        elif cls == "R/B":
            assert 250 <= hp <= 600 and 800 <= ha <= 2000 and r["RCS_SIZE"] == "LARGE"
        elif cls == "DEB":
            # one breakup: every fragment's orbit passes through the parent's point, 850 km up
            assert hp - 1 <= 850 <= ha + 1 and abs(i - 82.0) < 3.0
            assert r["OBJECT_TYPE"] == "DEBRIS"
        elif cls == "GEO":
            period = 2 * math.pi * math.sqrt(a**3 / _MU_KM)
            assert period == pytest.approx(SIDEREAL_DAY_S, abs=1.0) and e < 1e-3 and i < 0.1
        elif cls == "MOLNIYA":
            period = 2 * math.pi * math.sqrt(a**3 / _MU_KM)
            assert period == pytest.approx(SIDEREAL_DAY_S / 2, abs=1.0)
            assert 0.7 < e < 0.75 and i == 63.4 and 500 < hp < 600
        else:
            assert cls == "DECAY" and 125 <= hp <= 170 and ha <= 265


def _alt_km(r_m: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.norm(r_m, axis=-1) / 1e3 - _RE_KM)


def test_sample_decaying_objects_come_down_within_days_and_only_they() -> None:
    cat = sample_catalog(EPOCH)
    t = np.arange(0.0, 5 * 86400.0, 60.0)
    eph = cat.states_ecef(EPOCH, t)
    low = (eph.status != 0) | ~(_alt_km(eph.r_m) > 120.0)
    decaying = np.array(["DECAY" in o.name for o in cat.objects])
    assert low[decaying].any(axis=1).all()
    assert not low[~decaying].any()
    first_h = np.argmax(low[decaying], axis=1) * 60.0 / 3600.0
    # the generator's targets (3, 10, 20, 48, 96 h), within its 4-digit BSTAR rounding
    np.testing.assert_allclose(first_h, [3, 10, 20, 48, 96], rtol=0.1)


def test_sample_is_placed_at_the_scenario_epoch_over_the_same_ground() -> None:
    stored = sample_catalog()
    t0 = np.array([0.0, 3600.0])
    ref = stored.states_ecef(SAMPLE_EPOCH + "Z", t0)
    for epoch in ("1962-10-27T14:30:00Z", "1995-01-25T07:00:00Z", "2026-03-20T12:00:00Z"):
        moved = sample_catalog(epoch)
        assert {o.orbit.element_epoch.isoformat() for o in moved.objects} == {
            epoch.replace("Z", "+00:00")
        }
        eph = moved.states_ecef(epoch, t0)
        err = np.linalg.norm(eph.r_m - ref.r_m, axis=-1).max(axis=1)
        # near-Earth objects (SGP4): the same Earth-fixed states at the same time after the
        # epoch, up to the sidereal rate's change with date and the 4-decimal node rounding
        deep = np.array([o.orbit.satrec.method == "d" for o in moved.objects])
        assert deep.sum() == 12  # GEO and Molniya (period > 225 min: SDP4)
        assert err[~deep].max() < 50.0, err[~deep].max()
        # deep space (SDP4) adds the lunar and solar periodic terms of the date: tens of
        # kilometres at GEO distances (0.1 deg), far from the 1e4 km a wrong node would give
        assert err[deep].max() < 100e3, err[deep].max()
