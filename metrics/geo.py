"""The district map's boundaries: a GeoJSON FeatureCollection keyed by unit code, checked item by item.

`check(raw, units)` reads an uploaded file and says, per feature, what is wrong (not GeoJSON, a feature
without a code, a code that is not the district's, a department, a code twice, a geometry that is not a
closed polygon of longitudes and latitudes) and which streets and towns have no shape. Nothing is stored
unless there are no errors (`GeoCheck.ok`); shapes missing for some units are reported and do not block.
`district(wh)` is what the map draws: the uploaded boundaries, else the sample district's synthetic ones
when the warehouse holds the sample district, else None.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import pandas as pd

from kaohe.base.i18n import Refusal
from kaohe.data import boundaries as store

MAX_FEATURES = 5000


@dataclass
class GeoCheck:
    """What an uploaded boundary file holds: geometries (code -> geometry) of the features that passed,
    errors (Refusals, one per bad item: nothing is stored while there are any) and warnings (units with no
    shape: reported, stored anyway)."""

    geometries: dict[str, dict] = field(default_factory=dict)
    errors: list[Refusal] = field(default_factory=list)
    warnings: list[Refusal] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.geometries)


def _position_ok(p) -> bool:
    return (isinstance(p, list | tuple) and len(p) >= 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in p[:2])
            and -180 <= p[0] <= 180 and -90 <= p[1] <= 90)


def _polygon_problem(rings) -> str | None:
    if not isinstance(rings, list) or not rings:
        return "geo.why.ring"
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            return "geo.why.ring"
        if not all(_position_ok(p) for p in ring):
            return "geo.why.coords"
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return "geo.why.ring"
        if _area(ring) == 0:
            return "geo.why.area"
    return None


def _area(ring) -> float:
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))


def geometry_problem(geom) -> Refusal | None:
    """Why a geometry cannot be drawn (a Refusal naming the reason), or None."""
    if not isinstance(geom, dict):
        return Refusal("geo.why.type", type="-")
    kind = geom.get("type")
    coords = geom.get("coordinates")
    if kind == "Polygon":
        why = _polygon_problem(coords)
    elif kind == "MultiPolygon":
        why = "geo.why.ring" if not isinstance(coords, list) or not coords else next(
            (w for w in map(_polygon_problem, coords) if w), None)
    else:
        return Refusal("geo.why.type", type=str(kind))
    return Refusal(why) if why else None


def check(raw: bytes | str | dict, units: pd.DataFrame) -> GeoCheck:
    """Check a boundary file against the district's units (code, kind, name_zh, name_en)."""
    out = GeoCheck()
    if isinstance(raw, bytes | str):
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            out.errors.append(Refusal("geo.err.not_json", error=str(exc)[:120]))
            return out
    else:
        data = raw
    features = data.get("features") if isinstance(data, dict) and data.get("type") == "FeatureCollection" else None
    if not isinstance(features, list):
        out.errors.append(Refusal("geo.err.not_collection"))
        return out
    if len(features) > MAX_FEATURES:
        out.errors.append(Refusal("geo.err.too_many", n=len(features), max=MAX_FEATURES))
        return out
    kinds = dict(zip(units["code"], units["kind"], strict=False))
    for n, f in enumerate(features, start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        if not isinstance(code, str) or not code.strip():
            out.errors.append(Refusal("geo.err.no_code", n=n))
            continue
        code = code.strip()
        if code not in kinds:
            out.errors.append(Refusal("geo.err.unknown_code", n=n, code=code))
            continue
        if kinds[code] != "street":
            out.errors.append(Refusal("geo.err.department", n=n, code=code))
            continue
        if code in out.geometries:
            out.errors.append(Refusal("geo.err.duplicate", n=n, code=code))
            continue
        why = geometry_problem(f.get("geometry"))
        if why is not None:
            out.errors.append(Refusal("geo.err.geometry", n=n, code=code, why=why.text))
            continue
        out.geometries[code] = f["geometry"]
    missing = sorted(c for c, k in kinds.items() if k == "street" and c not in out.geometries)
    if missing and out.geometries:
        out.warnings.append(Refusal("geo.warn.missing", units=missing))
    if not out.geometries and not out.errors:
        out.errors.append(Refusal("geo.err.empty"))
    return out


def collection(geometries: dict[str, dict], units: pd.DataFrame | None = None) -> dict:
    """A FeatureCollection (properties: code, and the names when `units` is given) from code -> geometry."""
    names = {} if units is None else {r["code"]: r for r in units.to_dict("records")}
    feats = []
    for code, geom in sorted(geometries.items()):
        props = {"code": code}
        if code in names:
            props.update(name_zh=names[code].get("name_zh"), name_en=names[code].get("name_en"))
        feats.append({"type": "Feature", "properties": props, "geometry": geom})
    return {"type": "FeatureCollection", "features": feats}


def sample_geometries(units: pd.DataFrame) -> dict[str, dict]:
    """The seed's boundaries when `units` is the sample district (every seed code a street of the same
    Chinese name), else {}."""
    seed = store.seed()
    names = dict(zip(units["code"], units["name_zh"], strict=False))
    feats = seed.get("features", [])
    if not feats or any(names.get(f["properties"]["code"]) != f["properties"].get("name_zh") for f in feats):
        return {}
    return {f["properties"]["code"]: f["geometry"] for f in feats}


def district(wh, units: pd.DataFrame | None = None) -> dict | None:
    """The boundaries the map draws: uploaded ones, else the sample's, else None (no map)."""
    units = wh.units() if units is None else units
    geoms = store.stored(wh) or sample_geometries(units)
    return collection(geoms, units) if geoms else None
