"""The vehicle catalog: contents, sources, validation and look-up errors."""

from __future__ import annotations

import copy

import pytest
import yaml

from earlywarn.flight.catalog import VEHICLE_CLASSES, get_vehicle, load_catalog, parse_catalog

NAMES = {"icbm-solid", "icbm-liquid", "slbm", "irbm", "mrbm", "srbm", "slv", "sounding-rocket"}


def test_catalog_has_every_class_with_sources() -> None:
    cat = load_catalog()
    assert set(cat) == NAMES
    for v in cat.values():
        assert v.vehicle_class in VEHICLE_CLASSES
        assert v.source and v.body.source
        for s in v.stages:
            assert s.source, f"{v.name}/{s.name} has no source"
            assert s.plume_w_sr > 0 and s.rcs_m2 > 0


def test_minuteman_like_stage_burns() -> None:
    # Minuteman III open figures: stage burns of about 61, 66 and 61 s
    v = get_vehicle("icbm-solid")
    assert [s.burn_s for s in v.stages] == [61.0, 66.0, 61.0]
    assert 30_000 < v.launch_mass_kg < 37_000  # USAF LGM-30G fact sheet: ~36,000 kg
    assert len(get_vehicle("sounding-rocket").stages) == 4  # Black Brant XII: 4 stages
    assert get_vehicle("icbm-liquid").burnout_s[-1] == pytest.approx(250.0, abs=20.0)


def test_unknown_vehicle_lists_known_names() -> None:
    with pytest.raises(ValueError, match=r"known vehicles: .*icbm-solid"):
        get_vehicle("scud-z")


def test_validation_names_field_and_value() -> None:
    from importlib import resources

    doc = yaml.safe_load(
        resources.files("earlywarn").joinpath("data", "vehicles.yaml").read_text("utf-8")
    )
    bad = copy.deepcopy(doc)
    bad["vehicles"]["srbm"]["stages"][0]["burn_s"] = -3
    with pytest.raises(ValueError, match=r"srbm.*stage 1.*burn_s.*-3"):
        parse_catalog(bad)
    bad = copy.deepcopy(doc)
    bad["vehicles"]["srbm"]["class"] = "ABM"
    with pytest.raises(ValueError, match="class 'ABM'"):
        parse_catalog(bad)
    bad = copy.deepcopy(doc)
    del bad["vehicles"]["irbm"]["stages"][1]["source"]
    with pytest.raises(ValueError, match="source"):
        parse_catalog(bad)
