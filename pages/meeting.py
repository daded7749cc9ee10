"""月度会议 Meeting view: one peer group per screen for a 1280x720 projector, sidebar collapsed: totals as bars
coloured by grade with the rank change, per unit the items that cost most points in words, the red and black
lists with scores, alerts, the group's 点评; ◀ ▶ (or the arrow keys) step through the groups. Below: the
district map (or the departments' tiles), a click opens the unit's profile."""

import html

import streamlit as st

from kaohe.base import i18n
from kaohe.metrics import analysis as stats
from kaohe.metrics import commentary as cm
from kaohe.metrics import geo
from kaohe.metrics.rank import alert_text
from kaohe.ui import meeting_charts as mc
from kaohe.ui import queries, views
from kaohe.ui.setup import figures, lang, open_profile, page, refused, scheme_caption, tr

BIG = "font-size:1.15rem;line-height:1.45;margin:0 0 .25rem 0"
SMALL = "font-size:0.98rem;line-height:1.35;margin:0"
COLOURS = {"red": "#B3261E", "black": "#262730"}

# a projector has 720 px: less empty space above the title (our own CSS, scoped to this page's run)
st.html("<style>.stMainBlockContainer { padding-top: 2.6rem; }</style>")
pg = page("mt.title", needs="any_units")
month, unit_names, group_names = pg.month, pg.all_unit_names, pg.group_names
zh = lang() == "zh"
PERIODS = views.PERIODS

if st.session_state.get("mt_period") not in PERIODS:
    st.session_state["mt_period"] = "month"
period = st.session_state["mt_period"]

try:
    fig = figures(month, period, lang())
except queries.Refused as exc:
    refused(exc)
b = fig.build
groups = cm.groups(b)
if st.session_state.get("mt_group") not in groups:
    st.session_state["mt_group"] = groups[0]


def step(by: int) -> None:
    i = groups.index(st.session_state["mt_group"]) if st.session_state.get("mt_group") in groups else 0
    st.session_state["mt_group"] = groups[(i + by) % len(groups)]


c0, c1, c2, c3, c4 = st.columns([0.45, 2.2, 0.45, 3.3, 1.9], vertical_alignment="bottom")
c0.button("◀", key="mt_prev_btn", on_click=step, args=(-1,), shortcut="Left", help=tr("mt.prev"))
group = c1.selectbox(tr("rk.group"), groups, format_func=lambda g: group_names.get(g, g), key="mt_group",
                     label_visibility="collapsed")
c2.button("▶", key="mt_next_btn", on_click=step, args=(1,), shortcut="Right", help=tr("mt.next"))
c3.segmented_control(tr("rk.period"), PERIODS, key="mt_period", format_func=lambda p: tr(f"period.{p}"),
                     label_visibility="collapsed", required=True)
c4.caption(html.escape(tr("mt.caption", period=views.period_label(period, month, lang()),
                          status=fig.state.label(lang()), n=groups.index(group) + 1, of=len(groups))))

totals = b.totals[b.totals["peer_group"] == group].sort_values("rank")
alerts_cfg = b.scheme.section("alerts") if b.scheme else {}


def block(lines: list[str], style: str = BIG, colour: str | None = None) -> str:
    """Lines of text as HTML paragraphs, every piece escaped: names and reasons come from files."""
    tint = f";color:{colour}" if colour else ""
    return "".join(f'<p style="{style}{tint}">{line}</p>' for line in lines)


left, right = st.columns([0.95, 1.1], gap="medium")
with left:
    height = max(300, min(380, 34 * len(totals) + 80))
    st.plotly_chart(mc.totals_bars(totals, unit_names, lang(), height=height), key="mt_bars_chart",
                    config={"displayModeBar": False})
    said = [s.text for s in cm.group(b, group, lang()) if s.kind in ("rose", "fell", "median_moved", "bottom_streak")]
    if said:
        st.html(block([html.escape(s) for s in said[:2]], SMALL))

with right:
    lines = []
    for r in totals.itertuples():
        reasons = cm.unit(b, r.unit_code, lang(), n=2 if len(totals) <= 4 else 1)
        text = ("；" if zh else "; ").join(s.text for s in reasons)
        lines.append(f"<b>{html.escape(unit_names.get(r.unit_code, r.unit_code))}</b>{'：' if zh else ': '}"
                     f"{html.escape(text)}")
    st.html(f'<p style="{BIG};font-weight:600">{html.escape(tr("mt.reasons"))}</p>' + block(lines, SMALL))
    red, black = stats.lists_shown(totals)

    def listed(rows) -> str:
        return i18n.sep(lang()).join(f"{unit_names.get(r.unit_code, r.unit_code)} {r.total:.2f}"
                                     for r in rows.itertuples()) or tr("ov.list_none")

    st.html(block([f"<b>{html.escape(tr('ov.red'))}</b>{'：' if zh else ': '}{html.escape(listed(red))}"],
                  BIG, COLOURS["red"])
            + block([f"<b>{html.escape(tr('ov.black'))}</b>{'：' if zh else ': '}{html.escape(listed(black))}"],
                    BIG, COLOURS["black"]))
    alerted = [r for r in totals.itertuples() if r.alerts is not None and len(r.alerts)]
    alert_lines = [html.escape(f"{unit_names.get(r.unit_code, r.unit_code)}{'：' if zh else ': '}"
                               + tr("scoring.scheme.sep").join(alert_text(c, alerts_cfg, lang()) for c in r.alerts))
                   for r in alerted]
    st.html(f'<p style="{BIG};font-weight:600;color:#B35900">{html.escape(tr("report.summary.alerts"))}</p>'
            + block(alert_lines or [html.escape(tr("ov.no_alerts"))], SMALL))

# -- below the fold: the district map, or the departments' tiles ----------------------------------------------
st.divider()
scheme_caption(b, lang())  # named here, below the fold: one projector screen holds the group itself
kind = totals["kind"].iloc[0] if len(totals) else "street"
dims = b.dimensions.drop_duplicates("dimension")
measures = ["total", "grade", *[f"dim:{d}" for d in dims["dimension"]]]
inds = b.indicators.drop_duplicates("indicator_code")
measures += [f"ind:{c}" for c in inds["indicator_code"]]
labels = {"total": tr("rk.col.total"), "grade": tr("rk.col.grade"),
          **{f"dim:{r.dimension}": i18n.pick(r.name_zh, r.name_en, lang()) for r in dims.itertuples()},
          **{f"ind:{r.indicator_code}": i18n.pick(r.name_zh, r.name_en, lang()) for r in inds.itertuples()}}
if st.session_state.get("mt_measure") not in measures:
    st.session_state["mt_measure"] = "total"
m1, m2 = st.columns([1, 2], vertical_alignment="bottom")
measure = m1.selectbox(tr("mt.colour_by"), measures, format_func=labels.get, key="mt_measure")
kind_units = b.totals[b.totals["kind"] == kind]
values, title, categorical = mc.map_values(b, unit_names, measure, lang())
values = values[values["unit_code"].isin(kind_units["unit_code"])]
event = None
# a selectable chart's state cannot be written back: its key ends as setup.PERSIST_SKIP_SUFFIXES says
if kind == "street":
    shapes = geo.district(pg.wh, pg.all_units)
    if shapes is None:
        m2.caption(tr("mt.no_map"))
    else:
        m2.caption(tr("mt.map_caption"))
        event = st.plotly_chart(mc.district_map(shapes, values, title, lang(), categorical), key="mt_map_chart",
                                on_select="rerun", selection_mode="points", config={"displayModeBar": False})
else:
    m2.caption(tr("mt.tiles_caption"))
    event = st.plotly_chart(mc.tile_grid(values, lang(), categorical), key="mt_tiles_chart", on_select="rerun",
                            selection_mode="points", config={"displayModeBar": False})
picked = [p.get("customdata") for p in ((event or {}).get("selection") or {}).get("points", [])
          if p.get("customdata")] if event else []
if picked:
    code = picked[0][0] if isinstance(picked[0], list) else picked[0]
    if code in unit_names:
        open_profile(code)
