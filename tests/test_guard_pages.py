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

from data.warehouse import Warehouse
from ingest import pipeline
from metrics import service

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# Offences caused outside reports/, fixed on other branches: (pages, check, regex on the excerpt) -> the
# file that makes the text and what to change. The lead removes an entry once the branch that fixes it
# is merged; a new offence anywhere fails the test.
ALL = ("overview", "rankings", "trends", "profile", "indicators", "scheme", "import", "batches", "browser")
_NAME_CODE = r"[\u4e00-\u9fff] \((?:[A-Z]{2}_[A-Z]|POP\)|[SD]\d)"
KNOWN_ELSEWHERE: dict[tuple[tuple[str, ...], str, str], str] = {
    (ALL, "halfwidth", r"群众满意度\(第三方调查\)"):
        "data/seed/indicators.csv: CP_SURVEY name_zh 群众满意度(第三方调查) -> 群众满意度（第三方调查）(and a migration)",
    (ALL, "halfwidth", r"办法\(20\d\d年度\)"):
        "metrics/schemes/default-*.json: the scheme's name_zh ...办法(2026年度) -> ...办法（2026年度）",
    (ALL, "halfwidth", r"责任事故\(当期3起及以上\)"):
        "metrics/schemes/default-*.json: a veto reason_zh ...(当期3起及以上) -> （当期3起及以上）",
    (("scheme",), "halfwidth", r"网格面积大,网格"):
        "metrics/schemes/default-*.json: a group note in Chinese with ',' -> '，'",
    (("overview", "trends", "indicators", "scheme"), "halfwidth", _NAME_CODE):
        "an indicator picker shows 'name (CODE)': pages/overview.py:173, pages/trends.py:74, "
        "pages/indicators.py:92, pages/scheme.py:191 -> '名称（CODE）' in zh",
    (("profile",), "halfwidth", _NAME_CODE):
        "pages/profile.py:91 unit picker f'{name} ({code})' -> '名称（S01）' in zh",
    (ALL, "halfwidth", r"按实际值计分;超过封顶值"):
        "metrics/engine.py:336 joins the capped treatment with ';' in zh -> '；'",
    (("profile",), "code_op", r"PT_ESCALATE = \d+ >= 3|CP_SURVEY = [\d.]+ >= 95"):
        "metrics/adjust.py:59 writes the scheme item's evidence as 'CODE = v op t' (shown by metrics/explain.py:79 "
        "in the profile's explanation): word it with the indicator's name and ≥ (reports/context.py "
        "Context.evidence_text does this for the exports)",
    (("profile",), "code_word", r"^(?:scheme|deduction|bonus|veto|dashboard|system)$"):
        "pages/profile.py adjustments table shows the stored kind and actor: use "
        "i18n.t('scoring.adjust.kind.<kind>') and i18n.actor_name(actor, lang)",
    (("profile",), "halfwidth", r"[\u4e00-\u9fff]: [\d.,]+\S* · |: 缺报 · |: 不适用 · "):
        "pages/profile.py:157 strengths/weaknesses list '- **name**: value · ...' -> '：' in zh",
    (("profile",), "halfwidth", r"^trace text: .+: "):
        "ui/charts.py:361 spine_chart hover text f'{name}: {value}' -> '：' in zh",
    (("profile",), "halfwidth", r"件;|指标（只作参考，不排名）:"):
        "pages/profile.py:174 context line joins with ':' and ';' -> i18n.sep / '：' '；' in zh",
    (("profile",), "word", r"^None in column (?:权重|指标得分|折合分|Weight|Indicator score|Points)$"):
        "pages/profile.py:199 explanation table: a not-applicable item's score/weight/points are empty and "
        "st.dataframe draws them as 'None': pass placeholder='—' (or '' )",
    (("profile",), "word", r"^None in column (?:依据|Evidence)$"):
        "pages/profile.py:215 adjustments table: an item with no evidence is drawn as 'None': placeholder='—'",
    (("profile",), "arrow", r"较上期 -\d+ 位"):
        "pages/profile.py:18 pf.rank_delta zh '较上期 {delta:+d} 位' starts with words, so a fall in rank gets a "
        "green up arrow: put the signed number first ('{delta:+d} 位（较上期）')",
    (("profile",), "word", r"(?:依据：|evidence: )nan"):
        "metrics/explain.py:79 evidence=a['evidence'] or '-': a missing evidence is NaN (truthy) and shows 'nan'",
    (("profile",), "code_word", r"录入：(?:dashboard|system)"):
        "metrics/explain.py:75 names only the 'scheme' actor: use i18n.actor_name(a['actor'], lang)",
    (("profile",), "halfwidth", r"(?:等次|优秀|良好|合格);|个单位; "):
        "metrics/explain.py:106 (grade notes ';'.join) and :111 (rank note '; '.join in both languages) -> '；' in zh",
    (("import",), "halfwidth", r"^- [^:]{1,12}: "):
        "pages/import.py:109 the file summary f'- **{label}**: {text}' and :145 f'- {line}' -> '：' in zh",
    (("import",), "halfwidth", r" → [^;]*; |; [^→;]* → "):
        "ingest/preview.py:60 column roles joined with '; ' -> i18n.sep(lang) (or '；') in zh",
    (("import",), "halfwidth", r"\d+: [SD]\d|[\u4e00-\u9fff], [SD]\d|\d+: [A-Z]{2}_"):
        "ingest/preview.py:55-57 f'{n}: ' + ', '.join(units) -> '：' and i18n.sep(lang) in zh",
    (("import",), "halfwidth", r"」: |[\u4e00-\u9fff] \(|\) → "):
        "validation/report.py:131-146 Report.lines(): f'{head}: {msg}' + f' ({exp}) {arrow} {fix}' -> '：' and '（）' in zh",
    (("import",), "code_word", r"^(?:ok|missing|na|carried)$"):
        "ingest/preview.py:77 sample_rows shows the stored status code: t(f'status.{s}', lang)",
    (("import",), "word", r"^None in column "):
        "pages/import.py:111 (sample rows: blank unit/indicator/month/numerator) and :128 (problem lines: a file-level "
        "problem has no row) draw empty cells as 'None': placeholder='—' (or '')",
    (("trends",), "word", r"^None in column (?:上月|去年同月|同比变化|环比变化|Last month|Same month last year|"
                          r"Change on a year ago|Change on last month)$"):
        "pages/trends.py table: the first months have no previous value and st.dataframe shows 'None': "
        "placeholder='—'",
    (("browser",), "word", r"^None in column (?:数值|Value)$"):
        "pages/browser.py:78 a missing or n/a observation has no value: st.dataframe shows 'None': placeholder='—'",
    (("overview",), "word", r"None of this mon"):
        "pages/overview.py:45 ov.no_flagged en 'None of this month's data was flagged...' -> "
        "'No data this month was flagged as implausible at import.'",
    (("overview",), "arrow", r"较上月 -"):
        "pages/overview.py:29 ov.mean_delta zh '较上月 {delta:+.2f}' starts with words: a fall gets a green up "
        "arrow; put the signed number first ('{delta:+.2f}（较上月）')",
    (("overview",), "halfwidth", r"%:(?:与同类单位|连续)"):
        "pages/overview.py:50 ov.unchecked_line zh '{value}:{text}' -> '{value}：{text}'",
    (("overview", "indicators"), "halfwidth", r"^hovertemplate: .*(?:填报完整率|报送率): "):
        "ui/charts.py:71 and :337 hover '<name>: %{z}' -> '：' in zh",
    (("profile",), "word", r"^trace text: .*: nan"):
        "ui/charts.py:361 spine_chart hover text shows a missing or n/a item's value as 'nan': say 缺报/不适用",
    (("indicators", "rankings", "scheme"), "halfwidth", r"^hovertemplate: 名(?: × 名)?: 名"):
        "ui/charts.py:241 (distribution), :320 (correlation), :418 (rank intervals), :466 (what-if) hover "
        "'%{text}: %{y}' -> '：' in zh",
    (("indicators",), "halfwidth", r"数值\(%\)"):
        "ui/charts.py:166 _unit_label zh f'{base}({unit})' -> f'{base}（{unit}）'",
    (("rankings",), "halfwidth", r"）;触发一票否决|;触发"):
        "pages/rankings.py:149 alert texts joined with ';' -> i18n.sep(lang) or '；'",
    (("scheme",), "halfwidth", r"(?:优秀|良好|合格) ≥ \d+, "):
        "pages/scheme.py:127 grade bands joined with ', ' -> i18n.sep(lang)",
    (("scheme",), "halfwidth", r"突发事件信息;发生"):
        "pages/scheme.py:138 veto reasons joined with ';' -> '；' in zh",
    (("batches",), "code_word", r"sample district|seed 20261|^system$"):
        "pages/batches.py:42-46 shows the stored source_name 'sample district (seed 20261)' (data/setup.py:35) and "
        "the actor 'system': i18n.actor_name(actor, lang); the sample batch in words (reports/context.py "
        "Context.batch_source does this for the exports)",
}

PAGES = ["overview", "rankings", "trends", "profile", "indicators", "scheme", "import", "batches", "browser"]
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
    (one by the dashboard actor), and an imported file."""
    path = tmp_path_factory.mktemp("guard_pages") / "guard.duckdb"
    shutil.copy(sample_db, path)
    wh = Warehouse(path)
    service.add_adjustment(wh, "S03", "2026-10", "bonus", 2, "市级表彰的老旧小区改造经验", "区委办〔2026〕12号", "tester")
    service.add_adjustment(wh, "S03", "2026-10", "deduction", 1.5, "信息迟报一次", None, "dashboard")
    service.add_adjustment(wh, "D02", "2026-10", "veto", 0, "发生重大安全生产责任事故", None, "tester")
    prep = pipeline.prepare(corpus.long_csv(wh, "2026-08"), "8月指标.csv", wh, current_month="2026-11")
    pipeline.commit(prep, wh, actor="tester", accept_warnings=True)
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
