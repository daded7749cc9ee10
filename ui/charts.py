"""Plotly figure builders: pure functions of DataFrames, readable on a projector.

Large type, a colour-blind-safe palette (Okabe-Ito), units on the axes, labels in
the user's language. No Streamlit here, so each builder is tested on its own.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kaohe import i18n
from kaohe.i18n import t

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
SEQUENTIAL = "Blues"
FONT = dict(family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif", size=15)

i18n.register({
    "chart.month": ("月份", "Month"),
    "chart.unit": ("单位", "Unit"),
    "chart.completeness": ("填报完整率", "Completeness"),
    "chart.peer_median": ("{group}中位数", "{group} median"),
    "chart.value": ("数值", "Value"),
})


def _layout(fig: go.Figure, title: str | None = None, height: int = 460) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=18)) if title else None,
        font=FONT, height=height, margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        plot_bgcolor="white", colorway=PALETTE,
    )
    fig.update_xaxes(showgrid=False, linecolor="#888")
    fig.update_yaxes(gridcolor="#e5e5e5", linecolor="#888")
    return fig


def completeness_heatmap(comp: pd.DataFrame, unit_names: dict[str, str], lang: str) -> go.Figure:
    """Units (rows) x months (columns), share of expected indicators reported."""
    grid = comp.pivot_table(index="unit_code", columns="month", values="share", aggfunc="first")
    labels = [f"{code} {unit_names.get(code, '')}".strip() for code in grid.index]
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy() * 100.0, x=list(grid.columns), y=labels, zmin=0, zmax=100,
        colorscale=SEQUENTIAL, colorbar=dict(title="%", ticksuffix="%"),
        hovertemplate="%{y}<br>%{x}<br>" + t("chart.completeness", lang) + ": %{z:.1f}%<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", title=t("chart.unit", lang))
    fig.update_xaxes(title=t("chart.month", lang), type="category")
    return _layout(fig, height=max(320, 26 * len(labels) + 120))


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
        med = ok[ok["peer_group"] == g].groupby("month", as_index=False)["value"].median()
        fig.add_trace(go.Scatter(
            x=med["month"], y=med["value"], mode="lines",
            name=t("chart.peer_median", lang, group=group_names.get(g, g)),
            line=dict(color="#555", width=2, dash="dash")))
    fig.update_xaxes(title=t("chart.month", lang), type="category")
    fig.update_yaxes(title=unit_label or t("chart.value", lang))
    return _layout(fig, title)
