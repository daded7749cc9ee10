"""Machine text on the dashboard: every page, for streets and departments, at several months and
periods, in Chinese and English. Every text a page shows (titles, markdown, captions, alerts, metrics,
widget labels and options, table headers and cells, plotly titles, axes, legends, hover texts and
labels) goes through `guard_checks`.

One AppTest per page and language walks the months and kinds (one shared warehouse, with hand-entered
adjustments, a veto and an imported file), so the whole file stays within a few minutes on one core.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import guard_checks as gc
import import_corpus as corpus
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from kaohe.data.warehouse import Warehouse
from kaohe.ingest import pipeline
from kaohe.metrics import service

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# Offences whose cause is in a file this branch does not own: (pages, check, regex on the excerpt as read,
# markdown escapes taken off) -> the file that makes the text and what to change. Only the seed catalogue,
# the shipped scheme files, pages/import.py and pages/batches.py are left here; remove an entry once the
# fix is merged (a new offence anywhere fails the test).
ALL = ("overview", "rankings", "trends", "profile", "indicators", "scheme", "import", "batches", "browser")
KNOWN_ELSEWHERE: dict[tuple[tuple[str, ...], str, str], str] = {
    # -- the evaluator's own file, quoted as typed: its headers keep their half-width marks ----------------
    (("import",), "halfwidth", r" → [^;]*; |; [^→;]* → |[\u4e00-\u9fff]\([^)]*\) → |\([^)]*\)\] 「"):
        "pages/import.py shows ingest/preview.py's column roles and validation/report.py's lines, which quote the "
        "file's own headers (街道(乡镇), 满意率(%)) as typed: show them as quoted text (st.text or a quoted "
        "table column) instead of inside a Chinese sentence",
}

PAGES = ["overview", "rankings", "trends", "profile", "indicators", "scheme", "import", "batches", "browser",
         "audit"]
LANGS = ["zh", "en"]
# (kind, month, period): both kinds at the last month, a mid-year month, a month with missing items and
# the first month of the sample (no previous month)
VIEWS = [("street", "2026-10", None), ("department", "2026-10", None), ("street", "2026-01", None),
         ("department", "2026-01", None), ("street", "2025-06", None), ("department", "2025-06", None),
         ("street", "2023-11", None), ("department", "2023-11", None)]
PERIOD_KEYS = {"rankings": "rk_period", "profile": "pf_period"}
PERIOD_VIEWS = [("street", "2026-10", "quarter"), ("department", "2026-10", "year"),
                ("street", "2026-09", "ytd"), ("department", "2025-06", "quarter"),
                ("street", "2023-11", "year")]
PROFILE_UNITS = {"street": ["S03", "S07"], "department": ["D02", "D09"]}
# pages whose content does not follow the month: one month each kind is enough
MONTHLESS = {"scheme", "import", "batches"}


@pytest.fixture(scope="module")
def guard_db(sample_db, tmp_path_factory) -> Path:
    """The sample district with what makes pages say more: hand-entered bonus, deduction and veto items
    (one by the dashboard actor), an imported file, and a published month corrected since."""
    path = tmp_path_factory.mktemp("guard_pages") / "guard.duckdb"
    shutil.copy(sample_db, path)
    wh = Warehouse(path)
    service.add_adjustment(wh, "S03", "2026-10", "bonus", 2, "市级表彰的老旧小区改造经验", "区委办〔2026〕12号", "tester")
    service.add_adjustment(wh, "S03", "2026-10", "deduction", 1.5, "信息迟报一次", None, "dashboard")
    service.add_adjustment(wh, "D02", "2026-10", "veto", 0, "发生重大安全生产责任事故", None, "tester")
    prep = pipeline.prepare(corpus.long_csv(wh, "2026-08"), "8月指标.csv", wh, current_month="2026-11")
    pipeline.commit(prep, wh, actor="tester", accept_warnings=True)
    # 2026-10 published, then corrected: the pages show the publication label and the core's notice
    service.publish(wh, "2026-10", "tester")
    service.add_adjustment(wh, "S05", "2026-10", "bonus", 1, "补录市级表彰", None, "tester",
                           correction_reason="漏录的表彰")
    assert service.published_state(wh, "2026-10").differs
    return path


@pytest.fixture
def app_guard(guard_db, monkeypatch):
    monkeypatch.setenv("KAOHE_DB", str(guard_db))
    monkeypatch.setenv("KAOHE_LANG", "zh")
    return guard_db


# -- collecting what a page shows ---------------------------------------------------------------------
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "error",
                 "success", "toast")
WIDGETS = ("button", "checkbox", "toggle", "text_input", "text_area", "number_input", "selectbox", "multiselect",
           "radio", "segmented_control", "pills", "select_slider", "slider", "date_input", "expander", "tabs")
_FIELD = re.compile(r"%\{[^}]*\}")
_TAGS = re.compile(r"<extra>.*?</extra>|<br>|<[^>]+>")


def template_text(text: str, lang: str) -> str:
    """A hover template as read: its fields hold names in the reader's language (a Chinese name, in
    Chinese), tags are line breaks or nothing."""
    return _TAGS.sub("\n", _FIELD.sub("名" if lang == "zh" else "x", text))


def _items(at, name):
    try:
        return list(getattr(at, name))
    except Exception:  # noqa: BLE001 - an element kind this Streamlit does not expose
        return []


def _strings(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    if isinstance(values, list):
        out = []
        for v in values:
            out += _strings(v)
        return out
    return []


def plotly_texts(spec: dict, lang: str = "zh") -> list[tuple[str, str]]:
    """(where, text) of a plotly figure: what a reader sees of it, hover templates without their fields."""
    out = []
    layout = spec.get("layout", {})

    def title(obj, where):
        t = obj.get("title") if isinstance(obj, dict) else None
        text = t.get("text") if isinstance(t, dict) else t
        if isinstance(text, str):
            out.append((where, template_text(text, lang)))

    title(layout, "chart title")
    for k, v in layout.items():
        if re.fullmatch(r"[xy]axis\d*", k) and isinstance(v, dict):
            title(v, f"{k} title")
            out += [(f"{k} tick", s) for s in _strings(v.get("ticktext"))]
    title(layout.get("legend", {}), "legend title")
    title(layout.get("coloraxis", {}).get("colorbar", {}), "colour bar")
    out += [("annotation", template_text(a.get("text", ""), lang)) for a in layout.get("annotations", []) if a.get("text")]
    for tr in spec.get("data", []):
        if isinstance(tr.get("name"), str):
            out.append(("trace name", tr["name"]))
        for key in ("hovertemplate", "texttemplate"):
            for s in _strings(tr.get(key)):
                out.append((key, template_text(s, lang)))
        for key in ("text", "hovertext", "labels", "x", "y"):
            out += [(f"trace {key}", _TAGS.sub("\n", s)) for s in _strings(tr.get(key))]
        title(tr.get("colorbar", {}), "colour bar")
        title(tr.get("marker", {}).get("colorbar", {}) if isinstance(tr.get("marker"), dict) else {}, "colour bar")
    return out


# the import report's columns that quote the uploaded file (its header, the cell as typed)
QUOTED = ("列", "值", "Column", "Value")


def dataframe_offences(df_el, lang: str) -> list[tuple[str, str]]:
    frame: pd.DataFrame = df_el.value
    order = list(df_el.proto.column_order)
    if order:
        frame = frame[[c for c in order if c in frame.columns]]
    out = gc.table_offences(frame.columns, frame.itertuples(index=False, name=None), lang, quoted=QUOTED)
    # st.dataframe draws an empty cell as the word "None" unless the page gives a placeholder
    if not df_el.proto.placeholder:
        for c in frame.columns:
            col = frame[c]
            if col.isna().any():
                out.append(("word", f"None in column {c}"))
    return out


def page_offences(at, lang: str) -> list[tuple[str, str]]:
    found = []
    for name in TEXT_ELEMENTS:
        for el in _items(at, name):
            found += gc.text_offences(getattr(el, "value", ""), lang)
    for m in _items(at, "metric"):
        found += gc.metric_offences(m.label, m.value, m.proto.delta if m.proto.delta else None, lang)
    for name in WIDGETS:
        for w in _items(at, name):
            found += gc.text_offences(getattr(w, "label", "") or "", lang)
            for o in getattr(w, "options", None) or []:
                found += gc.text_offences(o, lang)
    for el in at.get("download_button"):
        found += gc.text_offences(el.proto.label, lang)
    for df_el in _items(at, "dataframe"):
        found += dataframe_offences(df_el, lang)
    for t_el in _items(at, "table"):
        frame = t_el.value
        found += gc.table_offences(frame.columns, frame.itertuples(index=False, name=None), lang)
    for chart in at.get("plotly_chart"):
        for where, text in plotly_texts(json.loads(chart.proto.spec), lang):
            found += [(c, f"{where}: {e}") for c, e in gc.text_offences(text, lang)]
    return found


def unexplained(page: str, found) -> list:
    def explained(check, excerpt):
        return any(page in pages and c == check and re.search(pattern, excerpt)
                   for (pages, c, pattern) in KNOWN_ELSEWHERE)
    return sorted({o for o in found if not explained(o[1], o[2])})


def _dump(found) -> None:
    import os

    if os.environ.get("GUARD_DUMP"):
        with open(os.environ["GUARD_DUMP"], "a", encoding="utf-8") as f:
            f.writelines(f"{p}\t{c}\t{e}\t{where}\n" for p, c, e, where in found)


def views(page: str):
    if page in MONTHLESS:
        return [("street", "2026-10", None), ("department", "2026-10", None)]
    extra = PERIOD_VIEWS if page in PERIOD_KEYS else []
    return VIEWS + extra


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_no_machine_text_on_the_page(app_guard, page, lang):
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    at.session_state["lang"] = lang
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    found = []
    for kind, month, period in views(page):
        at.session_state["kind"] = kind
        at.session_state["month"] = month
        if page in PERIOD_KEYS:
            at.session_state[PERIOD_KEYS[page]] = period or "month"
        at.run()
        assert not at.exception, (kind, month, period, at.exception)
        where = f"{kind} {month} {period or 'month'}"
        found += [(page, c, e, where) for c, e in page_offences(at, lang)]
        if page == "profile" and period is None and month == "2026-10":
            # the units with hand-entered adjustments and a veto
            for unit in PROFILE_UNITS[kind]:
                at.session_state["pf_unit"] = unit
                at.run()
                assert not at.exception, (unit, at.exception)
                found += [(page, c, e, f"{where} {unit}") for c, e in page_offences(at, lang)]
    _dump(found)
    left = unexplained(page, found)
    shown = {}
    for _p, c, e, where in left:
        shown.setdefault((c, e), where)
    assert not shown, "\n".join(f"{c}: {e!r} ({where})" for (c, e), where in sorted(shown.items()))


BAD_ROWS = corpus.LONG_HEADER + "".join([
    "S99,HL_SATISFY,2026-10,95,,\n", ",HL_SATISFY,2026-10,95,,\n", "S01,HL_HAPPY,2026-10,95,,\n",
    "S01,HL_SATISFY,2026-10,九十五,,\n", "S01,HL_RESPONSE,2026-10,120%,,\n", "S01,EM_DRILL,2026-10,-1,,\n",
    "S02,EM_DRILL,2026-10,1.5,,\n", "S02,HL_SATISFY,2026-10,,120,100\n", "S04,HL_SATISFY,2026-10,80,950,1000\n",
    "S01,DP_WHISTLE,2026-10,90,,\n", "S05,HL_SATISFY,2027-03,95,,\n", "S06,HL_SATISFY,,95,,\n",
    "S07,HL_SATISFY,2026-10,95,,\n", "S07,诉求满意率,2026年10月,96,,\n", "S08,,2026-10,95,,\n",
])


@pytest.mark.parametrize("lang", LANGS)
def test_the_import_page_with_bad_and_good_files(app_guard, lang):
    """The import report as the page shows it: a file with bad rows, a real-looking wide file with a bad
    value, and a file that is not a table."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.session_state["lang"] = lang
    at.switch_page("pages/import.py").run()
    found = []
    files = [("坏行.csv", corpus.utf8(BAD_ROWS), "text/csv"),
             ("热线.csv", corpus.hotline_gbk().replace(b"88.6%", "八十八".encode("gbk")), "text/csv"),
             ("文本.xlsx", corpus.utf8(corpus.LONG_HEADER + "S01,HL_SATISFY,2026-10,95\n"), "application/octet-stream")]
    for f in files:
        at.file_uploader(key="imp_upload").upload(*f).run()
        assert not at.exception, at.exception
        found += [("import", c, e, f[0]) for c, e in page_offences(at, lang)]
    _dump(found)
    shown = {(c, e): w for _, c, e, w in unexplained("import", found)}
    assert not shown, "\n".join(f"{c}: {e!r} ({w})" for (c, e), w in sorted(shown.items()))


def test_the_rank_intervals_of_the_rankings_page(app_guard):
    """The robustness button draws a chart of rank intervals; it is checked in both languages."""
    found = []
    for lang in LANGS:
        at = AppTest.from_file(APP, default_timeout=300)
        at.run()
        at.session_state["lang"] = lang
        at.switch_page("pages/rankings.py").run()
        if "pub_shown" in [c.key for c in at.get("segmented_control")]:  # intervals are of the current figures
            at.segmented_control(key="pub_shown").set_value("current").run()
        if "rk_robust_btn" in [b.key for b in at.button]:  # not yet computed in this process
            at.button(key="rk_robust_btn").click().run()
        assert not at.exception, at.exception
        assert at.get("plotly_chart"), "the rank intervals are drawn"
        found += [("rankings", c, e, lang) for c, e in page_offences(at, lang)]
    _dump(found)
    assert unexplained("rankings", found) == []


def test_the_collector_sees_plotly_texts():
    spec = {"layout": {"title": {"text": "得分: 趋势"}, "xaxis": {"title": {"text": "月份"}},
                       "annotations": [{"text": "None"}]},
            "data": [{"name": "学府街道", "hovertemplate": "%{x}<br>得分 %{y:.1f}<extra></extra>",
                      "text": ["nan", "90"], "y": ["CP_SURVEY >= 3"]}]}
    texts = dict(plotly_texts(spec))
    assert texts["chart title"] == "得分: 趋势" and texts["xaxis title"] == "月份"
    assert texts["hovertemplate"] == "名\n得分 名\n"
    found = {c for _, t in plotly_texts(spec) for c, _ in gc.text_offences(t, "zh")}
    assert found == {"halfwidth", "word", "code_op"}
    hover = {"data": [{"hovertemplate": "%{y}: %{x:.1f}<extra></extra>"}]}
    assert [c for _, t in plotly_texts(hover, "zh") for c, _ in gc.text_offences(t, "zh")] == ["halfwidth"]
    assert [c for _, t in plotly_texts(hover, "en") for c, _ in gc.text_offences(t, "en")] == []
