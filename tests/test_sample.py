"""The sample generator: deterministic, the shipped district exactly, and its planted features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kaohe.base import months as mo
from kaohe.data import catalogue, sample

END = "2026-10"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "domain"


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return sample.generate(end=END)


def test_same_seed_same_rows_other_seed_other_rows(obs):
    pd.testing.assert_frame_equal(obs, sample.generate(end=END))
    other = sample.generate(end=END, seed=7)
    assert not obs["value"].equals(other["value"])


def test_shipped_district_has_the_exact_codes_and_names():
    units = catalogue.read_units()
    assert len(units) == 30
    assert (units["kind"] == "street").sum() == 12
    assert units.groupby("kind")["peer_group"].nunique().to_dict() == {"department": 3, "street": 2}
    if (SHARED / "sample-district.csv").exists():
        ref = pd.read_csv(SHARED / "sample-district.csv", dtype=str, keep_default_na=False)
        cols = ["code", "name_zh", "name_en", "kind", "peer_group_zh", "peer_group_en"]
        pd.testing.assert_frame_equal(units[cols].reset_index(drop=True), ref[cols])
        inds = catalogue.read_indicators()
        ref_i = pd.read_csv(SHARED / "indicators.csv")
        assert inds["code"].tolist() == ref_i["code"].tolist()


def test_36_months_up_to_the_end_and_every_applicable_item(obs):
    assert sorted(obs["month"].unique()) == mo.span("2023-11", END)
    units = catalogue.read_units()
    inds = catalogue.read_indicators()
    expected = sum(len(catalogue.applicable(inds, k)) for k in units["kind"]) * 36
    # a few rows are dropped as never reported (about 0.3%)
    assert 0.99 * expected < len(obs) <= expected
    assert not obs.duplicated(["unit_code", "indicator_code", "month"]).any()
    kinds = units.set_index("code")["kind"]
    applies = inds.set_index("code")["applies_to"]
    pairs = obs[["unit_code", "indicator_code"]].drop_duplicates()
    ok = [applies[i] in ("both", kinds[u]) for u, i in pairs.itertuples(index=False)]
    assert all(ok)


def test_rates_are_consistent_with_numerator_and_denominator(obs):
    ratio_codes = catalogue.read_indicators().query("ratio")["code"]
    r = obs[obs["indicator_code"].isin(ratio_codes) & (obs["status"] == "ok")]
    assert (r["numerator"] <= r["denominator"]).all()
    assert np.allclose(r["value"], np.round(100 * r["numerator"] / r["denominator"], 2))
    # the hotline rates use the calls received as denominators
    calls = obs[obs["indicator_code"] == "HL_VOLUME"].set_index(["unit_code", "month"])["value"]
    resp = obs[(obs["indicator_code"] == "HL_RESPONSE") & (obs["status"] == "ok")].set_index(["unit_code", "month"])
    joined = resp.join(calls.rename("calls").dropna(), how="inner")
    assert (joined["denominator"] == joined["calls"]).all()


def test_values_stay_in_the_catalogue_ranges(obs):
    inds = catalogue.read_indicators().set_index("code")
    ok = obs[obs["status"] == "ok"].join(inds[["min", "max"]], on="indicator_code")
    assert (ok["value"] >= ok["min"]).all()
    assert ((ok["value"] <= ok["max"]) | ok["max"].isna()).all()
    counts = obs[obs["indicator_code"].isin(inds.index[inds["kind"] == "count"]) & (obs["status"] == "ok")]
    assert (counts["value"] == counts["value"].round()).all()


def test_planted_features(obs):
    unit, ind = sample.PLANTED_PERFECT
    perfect = obs[(obs["unit_code"] == unit) & (obs["indicator_code"] == ind)]
    assert len(perfect) == 36 and (perfect["value"] == 100.0).all()
    assert (perfect["numerator"] == perfect["denominator"]).all()

    unit, ind, offset = sample.PLANTED_JUMP
    series = obs[(obs["unit_code"] == unit) & (obs["indicator_code"] == ind)].set_index("month")["value"]
    spike_month = mo.add(END, offset + 1)
    others = series.drop(spike_month)
    assert series[spike_month] < others.min() - 10
    assert others.median() - series[spike_month] > 4 * others.std()

    unit, ind, offset = sample.PLANTED_CONCEAL
    row = obs[(obs["unit_code"] == unit) & (obs["indicator_code"] == ind) & (obs["month"] == mo.add(END, offset + 1))]
    assert row["value"].tolist() == [1.0]


def test_not_applicable_and_missing_are_marked(obs):
    na = obs[obs["status"] == "na"]
    assert set(zip(na["unit_code"], na["indicator_code"], strict=True)) == {
        (u, i) for u, items in sample.NOT_APPLICABLE.items() for i in items}
    assert na["value"].isna().all()
    missing = obs[obs["status"] == "missing"]
    assert 0 < len(missing) < 0.01 * len(obs) and missing["value"].isna().all()


def test_seasons_and_unit_effects(obs):
    vol = obs[(obs["indicator_code"] == "HL_VOLUME") & obs["unit_code"].str.startswith("S")]
    moy = vol["month"].str[5:7].astype(int)
    assert vol[moy.isin([12, 1, 2])]["value"].mean() > 1.15 * vol[moy.isin([3, 4, 5])]["value"].mean()
    resp = obs[(obs["indicator_code"] == "EM_RESPONSE") & (obs["status"] == "ok")]
    moy = resp["month"].str[5:7].astype(int)
    assert resp[moy.isin([6, 7, 8, 9])]["value"].mean() > resp[moy.isin([1, 2, 3, 4])]["value"].mean()
    # units are steadily strong or weak: first-year and last-year ranks correlate
    sat = obs[(obs["indicator_code"] == "HL_RESOLVE") & (obs["status"] == "ok")]
    y1 = sat[sat["month"] <= "2024-10"].groupby("unit_code")["value"].mean()
    y3 = sat[sat["month"] > "2025-10"].groupby("unit_code")["value"].mean()
    assert y1.corr(y3, method="spearman") > 0.5


def test_scales_to_more_units_and_months():
    units = sample.scaled_units(120)
    assert len(units) == 120 and units["code"].is_unique
    assert units["code"].iloc[:30].tolist() == catalogue.read_units()["code"].tolist()
    catalogue.check_units(units)
    big = sample.generate(units, end=END, n_months=60)
    assert big["month"].nunique() == 60 and big["unit_code"].nunique() == 120
