"""Plotly figure builders: pure functions of DataFrames, readable on a projector.

Large type, a colour-blind-safe palette (Okabe-Ito), units on the axes, labels in
the user's language. No Streamlit here, so each builder is tested on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kaohe.base import i18n
from kaohe.base.i18n import t
from kaohe.metrics.analysis import peer_median

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQUENTIAL = "Blues"
# Complete cells fade out and gaps stand out (orange to dark red-brown; 50% or less is darkest).
GAPS = [[0.0, "#7f2704"], [0.5, "#D55E00"], [0.8, "#F5C16C"], [0.97, "#F7F7F7"], [1.0, "#FFFFFF"]]
FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=15)
INK = "#262730"  # axis text: dark on white, for a projector



# Plotly draws a subset of HTML in its texts (<a href>, <b>, <span style>); names from a file are escaped
# so that they are shown as they are written.
def _html(text):
    if not isinstance(text, str):
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_names(fn):
    """Escape the names (`*_names` dicts) and titles a builder gets before plotly sees them."""
    import functools
    import inspect

    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        for key, value in bound.arguments.items():
            if key.endswith("_names") and isinstance(value, dict):
                bound.arguments[key] = {k: _html(v) for k, v in value.items()}
            elif key in ("title", "y_title", "unit_label") and isinstance(value, str):
                bound.arguments[key] = _html(value)
        return fn(*bound.args, **bound.kwargs)

    return wrapper


def colon(lang: str) -> str:
    """The colon of a label in running text: full-width in Chinese."""
    return "：" if lang == "zh" else ": "


def _layout(fig: go.Figure, title: str | None = None, height: int = 460) -> go.Figure:
    # the title sits at the top of the figure and the legend below it, so they never overlap
    fig.update_layout(
        title=dict(text=title, font=dict(size=19), yref="container", y=0.985, yanchor="top", x=0.01)
        if title else None,
        font=FONT, height=height, margin=dict(l=10, r=10, t=85 if title else 45, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(size=FONT["size"])),
        plot_bgcolor="white", colorway=PALETTE,
    )
    # Streamlit's chart theme sets 12px grey ticks and 14px axis titles unless a figure says otherwise
    axis_text = dict(tickfont=dict(size=FONT["size"], color=INK), title_font=dict(size=FONT["size"] + 1, color=INK))
    fig.update_xaxes(showgrid=False, linecolor="#888", **axis_text)
    fig.update_yaxes(gridcolor="#e5e5e5", linecolor="#888", **axis_text)
    fig.update_traces(selector=dict(type="heatmap"),
                      colorbar=dict(tickfont=dict(size=FONT["size"], color=INK),
                                    title_font=dict(size=FONT["size"], color=INK)))
    return fig


def _month_ticks(fig: go.Figure) -> None:
    """Over a year of months on a category axis: every third month (ending at the latest), upright,
    instead of every month tilted and crowded."""
    months = sorted({x for tr in fig.data for x in (tr.x if tr.x is not None else []) if isinstance(x, str)})
    if len(months) <= 12:
        return
    step = 3 if len(months) <= 36 else 6
    shown = months[::-1][::step][::-1]
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=shown, tickangle=0,
                     categoryorder="array", categoryarray=months)


@_plain_names
def completeness_heatmap(comp: pd.DataFrame, unit_names: dict[str, str], lang: str) -> go.Figure:
    """Units (rows) x months (columns), share of expected indicators reported."""
    grid = comp.pivot_table(index="unit_code", columns="month", values="share", aggfunc="first")
    labels = [f"{code} {unit_names.get(code, '')}".strip() for code in grid.index]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100.0, x=list(grid.columns), y=labels, zmin=50, zmax=100,
        colorscale=GAPS, colorbar=dict(title="%", ticksuffix="%"),
        hovertemplate="%{y}<br>%{x}<br>" + t("info.completeness", lang) + colon(lang) + "%{z:.1f}%<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title=t("report.col.unit", lang))
    fig.update_xaxes(title=t("chart.month", lang), type="category")
    _month_ticks(fig)
    return _layout(fig, height=max(320, 26 * len(labels) + 120))


@_plain_names
def trend_with_median(series: pd.DataFrame, chosen: list[str], unit_names: dict[str, str],
                      group_names: dict[str, str], title: str, unit_label: str, lang: str) -> go.Figure:
    """Chosen units' monthly values against the median of each one's peer group."""
    ok = series[series["status"] == "ok"]
    fig = go.Figure()
    for i, code in enumerate(chosen):
        s = ok[ok["unit_code"] == code]
        fig.add_trace(go.Scatter(
            x=s["month"], y=s["value"], mode="lines+markers", name=unit_names.get(code, code),
            line=dict(color=PALETTE[i % len(PALETTE)], width=3), marker=dict(size=6)))
    groups = ok.loc[ok["unit_code"].isin(chosen), "peer_group"].unique()
    for g in groups:
        med = peer_median(ok[ok["peer_group"] == g])
        fig.add_trace(go.Scatter(
            x=med["month"], y=med["value"], mode="lines",
            name=t("chart.peer_median", lang, group=group_names.get(g, g)),
            line=dict(color="#555", width=2, dash="dash")))
    fig.update_xaxes(title=t("chart.month", lang), type="category")
    _month_ticks(fig)
    fig.update_yaxes(title=unit_label or t("chart.value", lang))
    return _layout(fig, title)


# -- shared for the analysis pages ---------------------------------------------------------------
# Significance against the peer group (the engine's better|similar|worse); blue/vermillion differ
# for every common colour-vision deficiency, yellow gets a dark outline so it shows on white.
SIGNIFICANCE_COLOURS = {"better": "#0072B2", "similar": "#F0E442", "worse": "#D55E00", None: "#FFFFFF"}
DIVERGING = [[0.0, "#D55E00"], [0.5, "#F7F7F7"], [1.0, "#0072B2"]]



# The catalogue writes measurement units in Chinese; English screens get these words instead.
def measure_unit(unit: str | None, lang: str) -> str:
    """A measurement unit in the user's language ('%' stays '%')."""
    unit = unit or ""
    return (i18n.unit_en(unit, short=True) or unit) if lang == "en" else unit


def number(value: float) -> str:
    """A value as people read it: at most two decimals, none that are zero (94.77, 100, 0.5)."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def with_unit(number: str, unit: str | None, lang: str) -> str:
    """'12件' in Chinese, '12 cases' in English, '95.3%' in both."""
    shown = measure_unit(unit, lang)
    return f"{number} {shown}" if lang == "en" and shown and shown != "%" else f"{number}{shown}"


def _unit_label(unit: str | None, lang: str) -> str:
    unit = measure_unit(unit, lang)
    base = t("chart.value", lang)
    return f"{base}（{unit}）" if unit and lang == "zh" else (f"{base} ({unit})" if unit else base)


@_plain_names
def trend_lines(series: pd.DataFrame, chosen: list[str], unit_names: dict[str, str],
                medians: pd.DataFrame, group_of: dict[str, str], group_names: dict[str, str],
                title: str, y_title: str, lang: str, target: float | None = None,
                value: str = "value", predecessors: pd.DataFrame | None = None) -> go.Figure:
    """Chosen units over time against their peer medians (dashed) and the target (dotted).
    `predecessors` (metrics.lineage.predecessors: rows with unit_code, lineage_of, month and `value`): the
    units a chosen unit was merged or split from, each its own dotted line in the chosen unit's colour,
    in the months before the change."""
    fig = go.Figure()
    for i, code in enumerate(chosen):
        s = series[(series["unit_code"] == code) & series[value].notna()].sort_values("month")
        fig.add_trace(go.Scatter(
            x=s["month"], y=s[value], mode="lines+markers", name=unit_names.get(code, code),
            line=dict(color=PALETTE[i % len(PALETTE)], width=3), marker=dict(size=7)))
        _predecessor_traces(fig, predecessors, code, unit_names, lang, PALETTE[i % len(PALETTE)], value)
    for g in dict.fromkeys(group_of.get(c) for c in chosen):
        med = medians[medians["peer_group"] == g].sort_values("month")
        if med.empty:
            continue
        fig.add_trace(go.Scatter(
            x=med["month"], y=med[value], mode="lines", name=t("chart.peer_median", lang,
                                                               group=group_names.get(g, g)),
            line=dict(color="#555", width=2, dash="dash")))
    if target is not None:
        fig.add_hline(y=target, line=dict(color="#009E73", width=2, dash="dot"),
                      annotation_text=f"{t('chart.target', lang)} {target:g}", annotation_position="top left")
    fig.update_xaxes(title=t("chart.month", lang), type="category")
    if predecessors is not None and not predecessors.empty:  # a later unit's months come first in its trace
        fig.update_xaxes(categoryorder="category ascending")
    _month_ticks(fig)
    fig.update_yaxes(title=y_title)
    return _layout(fig, title)


def _predecessor_traces(fig, predecessors, code, unit_names, lang, color, value="value", width=2.5,
                        showlegend=True, markers=True, **where) -> None:
    """The dotted lines of the units `code` came from (merge: each predecessor; split: the parent), each
    named "A（X的前身）"; never summed."""
    if predecessors is None or predecessors.empty:
        return
    mine = predecessors[(predecessors["lineage_of"] == code) & predecessors[value].notna()]
    for other, s in mine.groupby("unit_code", sort=True):
        s = s.sort_values("month")
        name = t("lin.predecessor", lang, name=unit_names.get(other, other), unit=unit_names.get(code, code))
        fig.add_trace(go.Scatter(
            x=s["month"], y=s[value], mode="lines+markers" if markers else "lines", name=name,
            showlegend=showlegend, line=dict(color=color, width=width, dash="dot"),
            marker=dict(size=6, symbol="circle-open")), **where)


@_plain_names
def small_multiples(series: pd.DataFrame, chosen: list[str], unit_names: dict[str, str],
                    medians: pd.DataFrame, group_of: dict[str, str], y_title: str, lang: str,
                    target: float | None = None, value: str = "value", cols: int = 4,
                    predecessors: pd.DataFrame | None = None) -> go.Figure:
    """One small panel per unit (shared axes): the unit's line against its peer median, and (dotted)
    its predecessors' lines before a merge or split (`predecessors`, as for trend_lines)."""
    from plotly.subplots import make_subplots

    n = max(len(chosen), 1)
    rows = (n + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=min(cols, n), shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=[unit_names.get(c, c) for c in chosen],
                        vertical_spacing=0.22 / max(rows, 1) + 0.04, horizontal_spacing=0.03)
    for i, code in enumerate(chosen):
        r, c = i // cols + 1, i % cols + 1
        med = medians[medians["peer_group"] == group_of.get(code)].sort_values("month")
        fig.add_trace(go.Scatter(x=med["month"], y=med[value], mode="lines", showlegend=i == 0,
                                 name=t("chart.peer_median_short", lang),
                                 line=dict(color="#777", width=1.5, dash="dash")), row=r, col=c)
        s = series[(series["unit_code"] == code) & series[value].notna()].sort_values("month")
        fig.add_trace(go.Scatter(x=s["month"], y=s[value], mode="lines", showlegend=False,
                                 name=unit_names.get(code, code),
                                 line=dict(color=PALETTE[0], width=2.5)), row=r, col=c)
        _predecessor_traces(fig, predecessors, code, unit_names, lang, PALETTE[0], value, width=2,
                            showlegend=False, markers=False, row=r, col=c)
        if target is not None:
            fig.add_hline(y=target, line=dict(color="#009E73", width=1.5, dash="dot"), row=r, col=c)
    fig.update_xaxes(type="category", nticks=4, tickangle=0)
    if predecessors is not None and not predecessors.empty:
        fig.update_xaxes(categoryorder="category ascending")
    fig.update_yaxes(title=None)
    fig.update_annotations(font_size=15)
    _layout(fig, height=max(300, 240 * rows + 90))
    # the legend goes under the panels, where it cannot cover a panel's title
    fig.update_layout(yaxis_title=y_title, legend=dict(orientation="h", yanchor="top", y=-0.12 / rows,
                                                       xanchor="left", x=0), margin=dict(t=40, b=40))
    return fig


@_plain_names
def distribution(values: pd.DataFrame, unit_names: dict[str, str], group_names: dict[str, str],
                 title: str, y_title: str, lang: str, highlight: list[str] | None = None) -> go.Figure:
    """Every unit's value as a point over a box per peer group; chosen units are labelled."""
    ok = values[values["value"].notna()]
    fig = go.Figure()
    for i, (g, vals) in enumerate(ok.groupby("peer_group", sort=True)):
        fig.add_trace(go.Box(
            y=vals["value"], name=group_names.get(g, g), boxpoints="all", jitter=0.35, pointpos=0,
            marker=dict(color=PALETTE[i % len(PALETTE)], size=9, opacity=0.8),
            line=dict(color=PALETTE[i % len(PALETTE)]), fillcolor="rgba(0,0,0,0)",
            text=[unit_names.get(u, u) for u in vals["unit_code"]],
            hovertemplate="%{text}" + colon(lang) + "%{y}<extra></extra>"))
    for code in highlight or []:
        row = ok[ok["unit_code"] == code]
        if not row.empty:
            fig.add_annotation(x=group_names.get(row["peer_group"].iloc[0], row["peer_group"].iloc[0]),
                               y=float(row["value"].iloc[0]), text=unit_names.get(code, code),
                               showarrow=True, arrowhead=2, ax=60, ay=0, font=dict(size=14))
    fig.update_yaxes(title=y_title)
    fig.update_xaxes(title=t("rk.group", lang))
    return _layout(fig, title)


@_plain_names
def funnel_plot(points: pd.DataFrame, limits: pd.DataFrame, unit_names: dict[str, str],
                group_names: dict[str, str], title: str, lang: str) -> go.Figure:
    """Rate against denominator per unit, with 95% and 99.8% limits around each group's pooled rate.

    Limits are drawn per peer group; with several groups each gets its own colour of
    limit lines. Points are shaped by where they fall (inside, better, worse).
    """
    fig = go.Figure()
    groups = sorted(points["peer_group"].unique())
    band_style = {"in": ("circle", "#777777"), "better": ("triangle-up", "#0072B2"),
                  "worse": ("triangle-down", "#D55E00"), None: ("diamond", "#CC79A7")}
    for gi, g in enumerate(groups):
        colour = PALETTE[gi % len(PALETTE)] if len(groups) > 1 else "#333333"
        lim = limits[limits["peer_group"] == g]
        gname = group_names.get(g, g)
        for level, dash, width in (("95", "dash", 1.8), ("998", "solid", 1.8)):
            ll = lim[lim["level"] == level]
            label = t(f"chart.limit{level}", lang) + (f" · {gname}" if len(groups) > 1 else "")
            fig.add_trace(go.Scatter(x=ll["denominator"], y=ll["upper"], mode="lines", name=label,
                                     legendgroup=f"{g}{level}", line=dict(color=colour, dash=dash, width=width)))
            fig.add_trace(go.Scatter(x=ll["denominator"], y=ll["lower"], mode="lines", showlegend=False,
                                     legendgroup=f"{g}{level}", line=dict(color=colour, dash=dash, width=width)))
        if not lim.empty:
            fig.add_trace(go.Scatter(
                x=[lim["denominator"].min(), lim["denominator"].max()], y=[lim["group_rate"].iloc[0]] * 2,
                mode="lines", name=t("chart.group_rate", lang, group=gname),
                line=dict(color=colour, width=2.5, dash="dot")))
    pts = points.copy()
    pts["_j"] = pts["judgement"].where(pts["judgement"].notna(), None)
    for key in ("in", "better", "worse", None):
        sel = pts[pts["_j"].isna()] if key is None else pts[pts["_j"] == key]
        if sel.empty:
            continue
        symbol, colour = band_style[key]
        label = t("chart.band.outside" if key is None else f"chart.band.{key}", lang)
        fig.add_trace(go.Scatter(
            x=sel["denominator"], y=sel["value"], mode="markers", name=label,
            marker=dict(symbol=symbol, size=13, color=colour, line=dict(color="#222", width=1)),
            text=[unit_names.get(u, u) for u in sel["unit_code"]],
            customdata=sel[["numerator"]].to_numpy(),
            hovertemplate="%{text}<br>%{y:.2f}% = %{customdata[0]:,.0f} / %{x:,.0f}<extra></extra>"))
    dens = pd.concat([points["denominator"], limits["denominator"]]).dropna()
    ticks = _log_ticks(dens[dens > 0].min(), dens.max()) if (dens > 0).any() else []
    fig.update_xaxes(title=t("chart.denominator", lang), type="log", showgrid=True, gridcolor="#eee",
                     **(dict(tickmode="array", tickvals=ticks, ticktext=[f"{v:,}" for v in ticks]) if ticks else {}))
    fig.update_yaxes(title=t("chart.value", lang) + ("（%）" if lang == "zh" else " (%)"))
    fig = _layout(fig, title, height=600)
    # the legend (two groups make eight entries) stands right of the plot, one entry a line: below the plot
    # it ran into the x-axis title, above it into the chart's title
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02,
                                  font=dict(size=FONT["size"] - 1)),
                      margin=dict(l=10, r=10, t=85 if title else 45, b=10))
    return fig


def _log_ticks(low: float, high: float) -> list[int]:
    """1-2-5 ticks from `low` to `high` for a log axis, as whole numbers (plotly's own show 2 3 4 ... 9)."""
    out = []
    for exp in range(int(np.floor(np.log10(max(low, 1)))), int(np.ceil(np.log10(max(high, 1)))) + 1):
        out += [m * 10 ** exp for m in (1, 2, 5) if low * 0.8 <= m * 10 ** exp <= high * 1.25]
    return out


@_plain_names
def correlation_heatmap(corr: pd.DataFrame, ind_names: dict[str, str], lang: str) -> go.Figure:
    """Rank correlations between indicators, blue positive and vermillion negative."""
    labels = [ind_names.get(c, c) for c in corr.columns]
    fig = go.Figure(go.Heatmap(
        z=corr.to_numpy(), x=labels, y=labels, zmin=-1, zmax=1, colorscale=DIVERGING,
        colorbar=dict(title=t("chart.correlation", lang)),
        text=corr.round(2).to_numpy(), texttemplate="%{text}" if len(labels) <= 16 else None,
        hovertemplate="%{y} × %{x}" + colon(lang) + "%{z:.2f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(tickangle=-45)
    return _layout(fig, height=max(420, 24 * len(labels) + 220))


@_plain_names
def indicator_completeness_heatmap(frame: pd.DataFrame, unit_names: dict[str, str],
                                   ind_names: dict[str, str], lang: str) -> go.Figure:
    """Units (rows) x indicators (columns): share of expected months reported; blank where n/a."""
    grid = frame.pivot_table(index="unit_code", columns="indicator_code", values="share",
                             aggfunc="first", dropna=False)
    cols = [c for c in frame["indicator_code"].drop_duplicates() if c in grid.columns and grid[c].notna().any()]
    grid = grid[cols]
    ylabels = [f"{u} {unit_names.get(u, '')}".strip() for u in grid.index]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100.0, x=[ind_names.get(c, c) for c in cols], y=ylabels, zmin=50, zmax=100,
        colorscale=GAPS, colorbar=dict(title="%", ticksuffix="%"), xgap=1, ygap=1,
        hovertemplate="%{y}<br>%{x}<br>" + t("chart.share_reported", lang) + colon(lang) + "%{z:.0f}%<extra></extra>"))
    fig.update_yaxes(autorange="reversed", title=t("report.col.unit", lang))
    fig.update_xaxes(tickangle=-45, title=t("report.col.indicator", lang))
    return _layout(fig, height=max(380, 24 * len(ylabels) + 260))


@_plain_names
def spine_chart(rows: pd.DataFrame, ind_names: dict[str, str], lang: str,
                significance: dict[str, str | None] | None = None, fmt=None) -> go.Figure:
    """One line per indicator: the peer range (light), its middle half (darker), the peer median
    (centre line) and the unit's value as a dot coloured by significance. Better is to the right."""
    significance = significance or {}
    fmt = fmt or (lambda v: f"{v:,.4g}")
    labels = [ind_names.get(c, c) for c in rows["indicator_code"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=rows["best"] - rows["worst"], base=rows["worst"], orientation="h",
                         marker=dict(color="#DDDDDD"), name=t("chart.spine.range", lang), hoverinfo="skip"))
    fig.add_trace(go.Bar(y=labels, x=rows["q_high"] - rows["q_low"], base=rows["q_low"], orientation="h",
                         marker=dict(color="#A6A6A6"), name=t("chart.spine.iqr", lang), hoverinfo="skip"))
    sig = [significance.get(c) for c in rows["indicator_code"]]
    for key in ("better", "similar", "worse", None):
        mask = [s == key for s in sig]
        sel = rows[mask]
        if sel.empty:
            continue
        text = [f"{ind_names.get(r.indicator_code, r.indicator_code)}{colon(lang)}{fmt(r.value) if r.value == r.value else '—'}"
                f"<br>{t('chart.peer_median_short', lang)} {fmt(r.median)} · {fmt(r.min)}–{fmt(r.max)}"
                for r in sel.itertuples()]
        fig.add_trace(go.Scatter(
            y=[ind_names.get(c, c) for c in sel["indicator_code"]], x=sel["position"], mode="markers",
            name=t("chart.sig.none" if key is None else f"chart.sig.{key}", lang), text=text,
            hovertemplate="%{text}<extra></extra>",
            marker=dict(size=15, color=SIGNIFICANCE_COLOURS[key], line=dict(color="#222", width=1.5))))
    fig.add_vline(x=0, line=dict(color="#222", width=2))
    fig.update_layout(barmode="overlay", bargap=0.45)
    fig.update_xaxes(range=[-1.1, 1.1], title=t("chart.spine.axis", lang), showticklabels=False, zeroline=False)
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    return _layout(fig, height=max(360, 30 * len(labels) + 150))


def dimension_bars(dims: pd.DataFrame, lang: str) -> go.Figure:
    """A unit's dimension scores (bars) against its peer-group medians (markers), 0-100."""
    labels = [i18n.pick(z, e, lang) for z, e in zip(dims["name_zh"], dims["name_en"], strict=False)]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=dims["score"], y=labels, orientation="h", name=t("chart.unit_score", lang),
                         marker=dict(color=PALETTE[0]), text=[f"{v:.1f}" for v in dims["score"]],
                         textposition="inside", insidetextanchor="start"))
    fig.add_trace(go.Scatter(x=dims["peer_median"], y=labels, mode="markers",
                             name=t("chart.peer_median_short", lang),
                             marker=dict(symbol="line-ns", size=26, line=dict(color=PALETTE[1], width=4))))
    fig.update_xaxes(range=[0, 105], title=t("tr.score_unit", lang))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(300, 44 * len(labels) + 120))


@_plain_names
def rank_history(hist: pd.DataFrame, lang: str, predecessors: pd.DataFrame | None = None,
                 unit_names: dict[str, str] | None = None, code: str | None = None) -> go.Figure:
    """Rank over the last months (1 at the top) with the group size as the floor. `predecessors`
    (metrics.lineage.predecessors of `code`): the ranks of the units it was merged or split from, in the
    months before the change, each a dotted line with its name."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=hist["month"], y=hist["rank"], mode="lines+markers+text",
                             text=[str(int(r)) if pd.notna(r) else "" for r in hist["rank"]],
                             textposition="top center", name=t("report.col.rank", lang), cliponaxis=False,
                             showlegend=False, line=dict(color=PALETTE[0], width=3), marker=dict(size=9)))
    both = hist
    if predecessors is not None and not predecessors.empty and code is not None:
        _predecessor_traces(fig, predecessors, code, unit_names or {}, lang, PALETTE[1], "rank")
        both = pd.concat([hist, predecessors.reindex(columns=hist.columns)], ignore_index=True)
        months = sorted(set(both["month"]))
        fig.update_xaxes(categoryorder="array", categoryarray=months)
    n = int(both["n_in_group"].max()) if len(both) and both["n_in_group"].notna().any() else 1
    # room above rank 1 for its label (it was cut off at the top of the plot)
    fig.update_yaxes(autorange=False, range=[n + 0.5, 0.5 - max(0.35, n * 0.06)],
                     tickvals=list(range(1, n + 1)) if n <= 15 else None, title=t("report.col.rank", lang))
    fig.update_xaxes(type="category", title=t("chart.month", lang))
    fig = _layout(fig, height=360)
    fig.update_layout(margin=dict(l=10, r=10, t=30, b=10))
    return fig


@_plain_names
def rank_intervals(rows: pd.DataFrame, unit_names: dict[str, str], lang: str) -> go.Figure:
    """Official rank (dot) with the 90% rank interval and median rank from the robustness run.

    rows: unit_code, rank, median_rank, rank_p05, rank_p95 for one peer group, in rank order.
    """
    rows = rows.sort_values(["rank", "median_rank"])
    labels = [unit_names.get(u, u) for u in rows["unit_code"]]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=rows["median_rank"], y=labels, mode="markers", name=t("chart.median_rank", lang),
        marker=dict(symbol="line-ns", size=18, line=dict(width=3, color=PALETTE[1])),
        error_x=dict(type="data", symmetric=False, array=rows["rank_p95"] - rows["median_rank"],
                     arrayminus=rows["median_rank"] - rows["rank_p05"], color="#555", thickness=2.5, width=6),
        hovertemplate="%{y}" + colon(lang) + "%{x}<extra></extra>"))
    fig.add_trace(go.Scatter(x=rows["rank"], y=labels, mode="markers", name=t("chart.official_rank", lang),
                             marker=dict(size=12, color=PALETTE[0])))
    n = int(max(rows["rank_p95"].max(), rows["rank"].max())) if len(rows) else 1
    fig.update_xaxes(range=[0.5, n + 0.5], dtick=1 if n <= 20 else None, title=t("chart.rank_interval", lang))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=max(260, 34 * len(labels) + 120))


def weights_sunburst(tree: pd.DataFrame, lang: str) -> go.Figure:
    """The scheme's weight hierarchy: dimensions inside, indicators outside; area = effective weight.

    tree: id, parent, label, value (share of the total, %), hover (rule text).
    """
    fig = go.Figure(go.Sunburst(
        ids=tree["id"], parents=tree["parent"], labels=tree["label"], values=tree["value"],
        branchvalues="total", customdata=tree[["hover"]].to_numpy(),
        hovertemplate="%{label}<br>" + t("chart.weight", lang) + " %{value:.1f}%<br>%{customdata[0]}<extra></extra>",
        insidetextorientation="radial"))
    # dimensions take the colour-blind-safe palette; their indicators follow in lighter shades
    fig.update_layout(font=FONT, height=620, margin=dict(l=10, r=10, t=10, b=10),
                      sunburstcolorway=PALETTE, extendsunburstcolors=True)
    return fig


@_plain_names
def whatif_slope(compare: pd.DataFrame, unit_names: dict[str, str], lang: str) -> go.Figure:
    """Official rank (left) to what-if rank (right) per unit, names on both sides; movers are coloured.

    One line trace per colour (segments split by gaps), so a group of a hundred units draws as fast as a
    group of ten. The names are the tick labels of a left and a right rank axis: plotly makes room for
    them, where text placed beside the points was cut off at the plot's edge.
    """
    left, right = t("chart.official", lang), t("chart.whatif", lang)
    up = compare["rank_whatif"] < compare["rank_official"]
    down = compare["rank_whatif"] > compare["rank_official"]
    fig = go.Figure()
    for mask, colour, width in ((~(up | down), "#999999", 1.5), (up, "#0072B2", 3.5), (down, "#D55E00", 3.5)):
        part = compare[mask]
        if part.empty:
            continue
        xs, ys, names = [], [], []
        for r in part.itertuples():
            label = unit_names.get(r.unit_code, r.unit_code)
            xs += [0, 1, None]
            ys += [r.rank_official, r.rank_whatif, None]
            names += [label, label, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", showlegend=False, text=names,
                                 line=dict(color=colour, width=width), marker=dict(size=10, color=colour),
                                 hovertemplate="%{text}" + colon(lang) + "%{y}<extra></extra>"))
    colours = np.where(up, "#0072B2", np.where(down, "#D55E00", "#444444"))
    names = [unit_names.get(c, c) for c in compare["unit_code"]]

    def ticks(ranks, name_first: bool) -> list[str]:
        return [f'<span style="color:{c}">' + (f"{n}  {int(k)}" if name_first else f"{int(k)}  {n}") + "</span>"
                for k, n, c in zip(ranks, names, colours, strict=True)]

    n = int(max(compare["rank_official"].max(), compare["rank_whatif"].max())) if len(compare) else 1
    axis = dict(autorange=False, range=[n + 0.5, 0.5], showgrid=False, showline=False, zeroline=False,
                tickmode="array", automargin=True, ticks="", tickfont=dict(size=15))
    fig.update_layout(
        yaxis=dict(**axis, tickvals=list(compare["rank_official"]), ticktext=ticks(compare["rank_official"], True)),
        yaxis2=dict(**axis, tickvals=list(compare["rank_whatif"]), ticktext=ticks(compare["rank_whatif"], False),
                    overlaying="y", side="right"))
    # an invisible trace on the right axis, or plotly does not draw it
    fig.add_trace(go.Scatter(x=[1] * len(compare), y=list(compare["rank_whatif"]), yaxis="y2", mode="markers",
                             marker=dict(opacity=0), showlegend=False, hoverinfo="skip"))
    fig.update_xaxes(range=[-0.04, 1.04], tickmode="array", tickvals=[0, 1], ticktext=[left, right], side="top",
                     showline=False, showgrid=False, zeroline=False)
    fig = _layout(fig, height=max(320, 34 * n + 120))
    fig.update_layout(margin=dict(l=10, r=10, t=50, b=10))
    return fig


# -- table layout ---------------------------------------------------------------------------------------------
def text_width(text: str, font_px: int = 14, padding: int = 18) -> int:
    """About how many pixels a table cell needs for `text` (CJK characters are about one em, others about
    half), with the cell's padding and the header's menu icon."""
    text = str(text or "")
    wide = sum(1 for ch in text if ord(ch) > 0x2E7F)
    return int(round(wide * font_px + (len(text) - wide) * font_px * 0.5 + padding))


def short_labels(full: dict[str, str], lang: str, zh_chars: int = 4, en_chars: int = 14) -> dict[str, str]:
    """Short, distinct column headers for long names (the full name goes into the column's help): at most
    `zh_chars` characters in Chinese, whole words up to `en_chars` letters in English (Citizen requests ->
    Citizen, Public safety stays whole), longer where two would be the same."""
    def cut(text: str, n: int) -> str:
        if len(text) <= n:
            return text
        if lang == "zh":
            return text[:n]
        words, out = text.split(), ""
        for w in words:
            if len(f"{out} {w}".strip()) > n:
                break
            out = f"{out} {w}".strip()
        while out and out.split()[-1].lower() in ("and", "of", "&", "the", "for"):
            out = " ".join(out.split()[:-1])
        return out or text[:n]

    n = zh_chars if lang == "zh" else en_chars
    out = {key: cut(name, n) for key, name in full.items()}
    for _ in range(40):
        seen: dict[str, list[str]] = {}
        for key, label in out.items():
            seen.setdefault(label, []).append(key)
        clashes = [k for keys in seen.values() if len(keys) > 1 for k in keys]
        if not clashes:
            break
        n += 1
        for key in clashes:
            out[key] = cut(full[key], n)
    return out
