"""Figures of the meeting view: a peer group's totals as bars coloured by grade, the district map (the GeoJSON
shapes as filled polygons: nothing is fetched) and the departments' tile grid. Pure functions of frames,
no Streamlit, large type for a projector."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.ui.charts import FONT, INK, _html, _layout

# Okabe-Ito colours by grade: green, blue, orange, vermillion (distinguishable with colour-vision deficiencies)
GRADE_COLOURS = {"excellent": "#009E73", "good": "#0072B2", "pass": "#E69F00", "fail": "#D55E00"}
GRADE_ORDER = ["excellent", "good", "pass", "fail"]


def arrow(change) -> str:
    """▲2 moved up two places (better), ▼1 down, — unchanged, '' no previous rank."""
    if change is None or pd.isna(change):
        return ""
    change = int(change)
    return f"▲{change}" if change > 0 else (f"▼{-change}" if change < 0 else "—")


def arrow_colour(change) -> str:
    """Green for up (better), vermillion for down (worse), grey for no change."""
    if change is None or pd.isna(change) or int(change) == 0:
        return "#666666"
    return GRADE_COLOURS["excellent"] if int(change) > 0 else GRADE_COLOURS["fail"]


def totals_bars(rows: pd.DataFrame, unit_names: dict[str, str], lang: str, height: int = 430) -> go.Figure:
    """One peer group's totals, best at the top, each bar in its grade's colour, the total and the rank
    change (an arrow that points the way the unit moved: up is better) written beside it."""
    rows = rows.sort_values(["rank", "unit_code"])
    zh = lang == "zh"
    names = [_html(f"{int(r.rank)}. {unit_names.get(r.unit_code, r.unit_code)}") for r in rows.itertuples()]
    fig = go.Figure()
    for g in GRADE_ORDER:
        mask = rows["grade"].eq(g)
        if not mask.any():
            continue
        part = rows[mask]
        label = part["grade_zh" if zh else "grade_en"].iloc[0]
        fig.add_trace(go.Bar(
            x=part["total"].astype(float).tolist(), y=[n for n, m in zip(names, mask, strict=True) if m], orientation="h", name=label,
            marker=dict(color=GRADE_COLOURS[g]), text=[f"{v:.2f}" for v in part["total"]],
            textposition="inside", insidetextanchor="end", constraintext="none",
            textfont=dict(size=FONT["size"] + 2, color="white"),
            hovertemplate="%{y}: %{x:.2f}<extra>" + _html(label) + "</extra>"))
    # the rank change to the right of each bar, coloured by its meaning
    for name, r in zip(names, rows.itertuples(), strict=True):
        text = arrow(r.rank_change) or t("rank.new", lang)
        fig.add_annotation(x=float(r.total), y=name, text=text, xanchor="left", xshift=6, showarrow=False,
                           font=dict(size=FONT["size"] + 3, color=arrow_colour(r.rank_change)))
    low = float(rows["total"].min()) if len(rows) else 0.0
    start = max(0.0, math.floor((low - 15) / 10) * 10)
    fig.update_xaxes(range=[start, 106], title=t("tr.score_unit", lang))
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=names,
                     tickfont=dict(size=FONT["size"] + 3, color=INK))
    fig = _layout(fig, height=height)
    fig.update_layout(barmode="overlay", bargap=0.25, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(font=dict(size=FONT["size"] + 1)))
    return fig


# -- the district map ------------------------------------------------------------------------------------

def _label(name: str) -> str:
    """A name on the map: an English name broken before its last word ('Beichen<br>Street')."""
    text = _html(str(name))
    head, _, tail = text.rpartition(" ")
    return f"{head}<br>{tail}" if head and text.isascii() else text


def ink_on(colour: str) -> str:
    """White text on a dark fill, dark text on a light one ('#rrggbb' or 'rgb(r, g, b)')."""
    if colour.startswith("#"):
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(x) for x in colour[colour.index("(") + 1:colour.index(")")].split(",")[:3])
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 150 else INK


def rings(geom: dict) -> list[list]:
    """The outer rings of a Polygon or MultiPolygon (holes are not drawn at this size)."""
    coords = geom.get("coordinates") or []
    if geom.get("type") == "Polygon":
        return [coords[0]] if coords else []
    return [poly[0] for poly in coords if poly]


def district_map(geojson: dict, values: pd.DataFrame, value_title: str, lang: str, categorical: bool = False,
                 marked: str | None = None, height: int = 430, labels: bool = True) -> go.Figure:
    """Units coloured by `values` (unit_code, value, hover, name, label), each shape a filled polygon on plain
    axes of longitude and latitude (equal scale at the district's latitude).

    Not plotly's geo choropleth: its geo subplot fetches a world topojson from a CDN even with the basemap
    hidden (geo.visible False), and with no way out it draws nothing. Polygons on cartesian axes are drawn
    entirely in the browser. `categorical`: value is a grade code, coloured as on the bars. `marked`: a unit
    outlined in black (the scorecard's). A click on a unit's name (its label point) selects its code."""
    import plotly.colors as pc

    values = values.reset_index(drop=True)
    shapes = {f["properties"]["code"]: f["geometry"] for f in geojson.get("features", [])}
    fig = go.Figure()
    if not categorical and len(values):
        v = values["value"].astype(float)
        lo, hi = float(v.min()), float(v.max())
        span = hi - lo if hi > lo else 1.0
        colours = [pc.sample_colorscale("Blues", [0.15 + 0.85 * (x - lo) / span])[0] for x in v]
    else:
        colours = [GRADE_COLOURS.get(x, "#999999") for x in values["value"]]
    seen_grades = set()
    for i, r in enumerate(values.itertuples()):
        geom = shapes.get(r.unit_code)
        if geom is None:
            continue
        legend = categorical and r.value not in seen_grades
        seen_grades.add(r.value)
        for k, ring in enumerate(rings(geom)):
            fig.add_trace(go.Scatter(
                x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines", fill="toself",
                fillcolor=colours[i], line=dict(color="white", width=1.5), hoveron="fills",
                text=_html(r.hover), hoverinfo="text", name=_html(r.label) if categorical else _html(r.name),
                legendgroup=str(r.value) if categorical else None, showlegend=bool(legend and k == 0)))
    if marked is not None and marked in shapes:
        for ring in rings(shapes[marked]):
            fig.add_trace(go.Scatter(x=[p[0] for p in ring], y=[p[1] for p in ring], mode="lines",
                                     line=dict(color="#000000", width=4), hoverinfo="skip", showlegend=False))
    centres = centroids(geojson)
    placed = values[values["unit_code"].isin(list(centres))]
    fig.add_trace(go.Scatter(
        x=[centres[c][0] for c in placed["unit_code"]], y=[centres[c][1] for c in placed["unit_code"]],
        mode="markers+text" if labels else "markers", text=[_label(n) for n in placed["name"]],
        textfont=dict(size=FONT["size"], color=[ink_on(colours[i]) for i in placed.index]),
        marker=dict(size=14, color="rgba(255,255,255,0.01)"),
        customdata=placed["unit_code"].tolist(), hovertext=[_html(h) for h in placed["hover"]], hoverinfo="text",
        showlegend=False))
    if not categorical and len(values):
        # the colour scale, on a trace that draws nothing
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip",
                                 marker=dict(colorscale="Blues", cmin=lo - 0.15 * span / 0.85, cmax=hi,
                                             color=[lo], showscale=True,
                                             colorbar=dict(title=dict(text=_html(value_title)), thickness=14,
                                                           len=0.8, tickfont=dict(size=FONT["size"], color=INK)))))
    lat = [p[1] for g in shapes.values() for ring in rings(g) for p in ring]
    ratio = 1 / math.cos(math.radians(sum(lat) / len(lat))) if lat else 1.0
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=ratio)
    fig.update_layout(font=FONT, height=height, margin=dict(l=0, r=0, t=10, b=0), plot_bgcolor="white",
                      paper_bgcolor="white", hovermode="closest", dragmode=False,
                      legend=dict(orientation="h", yanchor="top", y=0.0, x=0, font=dict(size=FONT["size"])))
    return fig


def centroids(geojson: dict) -> dict[str, tuple[float, float]]:
    """Each feature's label point: the mean of its outer ring's vertices (good enough for convex shapes)."""
    out = {}
    for f in geojson.get("features", []):
        geom = f.get("geometry") or {}
        rings = geom.get("coordinates") or []
        if geom.get("type") == "MultiPolygon":
            rings = max(rings, key=lambda poly: len(poly[0]) if poly else 0) if rings else []
        if not rings:
            continue
        ring = rings[0][:-1] if len(rings[0]) > 1 else rings[0]
        out[f["properties"]["code"]] = (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return out


def tile_grid(values: pd.DataFrame, lang: str, categorical: bool = False, columns: int = 6,
              height: int | None = None) -> go.Figure:
    """Departments have no territory: one square tile each, in code order, coloured like the map
    (values: unit_code, value, hover, name, label)."""
    values = values.sort_values("unit_code").reset_index(drop=True)
    n = len(values)
    rows_n = max(1, math.ceil(n / columns))
    x = [i % columns for i in range(n)]
    y = [i // columns for i in range(n)]
    if categorical:
        colours = [GRADE_COLOURS.get(v, "#999999") for v in values["value"]]
    else:
        v = values["value"].astype(float)
        lo, hi = float(v.min()), float(v.max())
        import plotly.colors as pc

        colours = [pc.sample_colorscale("Blues", [0.25 + 0.75 * ((val - lo) / (hi - lo) if hi > lo else 1.0)])[0]
                   for val in v]
    fig = go.Figure(go.Scatter(
        x=x, y=y, mode="markers+text", marker=dict(symbol="square", size=78, color=colours,
                                                   line=dict(color="white", width=2)),
        text=[_html(s) for s in values["tile"]] if "tile" in values else [_html(s) for s in values["name"]],
        textfont=dict(size=FONT["size"] - 1, color="white"), hovertext=[_html(h) for h in values["hover"]],
        hoverinfo="text", customdata=values["unit_code"].tolist(), showlegend=False))
    fig.update_xaxes(visible=False, range=[-0.6, columns - 0.4])
    fig.update_yaxes(visible=False, range=[rows_n - 0.4, -0.6])
    fig.update_layout(font=FONT, height=height or 100 * rows_n + 20, margin=dict(l=0, r=0, t=0, b=0),
                      plot_bgcolor="white", paper_bgcolor="white")
    return fig


def map_values(build, unit_names: dict[str, str], measure: str, lang: str) -> tuple[pd.DataFrame, str, bool]:
    """The values the map colours by: 'total', 'grade', 'dim:<code>' or 'ind:<code>' of the build's units,
    with the hover text (name, total, grade, rank and the measure). Returns (frame, title, categorical)."""
    zh = lang == "zh"
    tot = build.totals
    base = tot[["unit_code", "total", "grade", "grade_zh", "grade_en", "rank", "n_in_group", "kind"]].copy()
    base["name"] = base["unit_code"].map(lambda c: unit_names.get(c, c))
    base["label"] = base["grade_zh" if zh else "grade_en"]
    colon = "：" if zh else ": "
    head = [f"{n}<br>{t('rk.col.total', lang)}{colon}{v:.2f}<br>{t('rk.col.grade', lang)}{colon}{g}<br>"
            f"{t('rk.col.rank', lang)}{colon}{int(r)} / {int(k)}"
            for n, v, g, r, k in zip(base["name"], base["total"], base["label"], base["rank"], base["n_in_group"],
                                     strict=True)]
    base["hover"] = head
    if measure == "grade":
        return base.assign(value=base["grade"]), t("rk.col.grade", lang), True
    if measure.startswith("dim:"):
        code = measure[4:]
        d = build.dimensions.loc[build.dimensions["dimension"].eq(code), ["unit_code", "score", "name_zh",
                                                                          "name_en"]]
        title = i18n.pick(d["name_zh"].iloc[0], d["name_en"].iloc[0], lang) if len(d) else code
        out = base.merge(d[["unit_code", "score"]], on="unit_code", how="inner")
        out["hover"] = [f"{h}<br>{title}{colon}{s:.1f}" for h, s in zip(out["hover"], out["score"], strict=True)]
        return out.assign(value=out["score"]), title, False
    if measure.startswith("ind:"):
        code = measure[4:]
        d = build.indicators.loc[build.indicators["indicator_code"].eq(code) & build.indicators["value"].notna(),
                                 ["unit_code", "value", "name_zh", "name_en", "unit"]]
        title = i18n.pick(d["name_zh"].iloc[0], d["name_en"].iloc[0], lang) if len(d) else code
        out = base.merge(d[["unit_code", "value", "unit"]], on="unit_code", how="inner")
        out["hover"] = [f"{h}<br>{title}{colon}{v:.1f}{u if u == '%' else ''}"
                        for h, v, u in zip(out["hover"], out["value"], out["unit"], strict=True)]
        return out, title, False
    return base.assign(value=base["total"]), t("rk.col.total", lang), False
