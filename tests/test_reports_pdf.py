"""Scorecard and summary PDFs: their numbers are the engine's, fonts are embedded, pages are not blank."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import pytest
from lang_checks import CJK
from pypdf import PdfReader

from kaohe.data import scoring_store as store
from kaohe.data.setup import ensure_ready
from kaohe.data.warehouse import Warehouse
from kaohe.metrics import service
from kaohe.reports import batch, fmt
from kaohe.reports.scorecard import scorecard_pdf
from kaohe.reports.summary import summary_pdf

MONTH = "2026-10"
ONE_PER_GROUP = {"urban": "S01", "rural": "S09", "enforcement": "D01", "service": "D07", "general": "D13"}


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("reports") / "w.duckdb")
    ensure_ready(wh, end=MONTH)
    service.add_adjustment(wh, "S03", MONTH, "bonus", 2, "市级表彰的老旧小区改造经验", "区委办〔2026〕12号", "tester")
    service.add_adjustment(wh, "S03", MONTH, "deduction", 1.5, "信息迟报一次", None, "tester")
    return wh


@pytest.fixture(scope="module")
def build(wh):
    return service.build(wh, MONTH)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def tokens(text: str) -> set[str]:
    """Every number-like token in the text (e.g. 92.89, 7.20, 733/751, 1/8)."""
    return set(re.findall(r"[0-9][0-9,./%]*[0-9%]|[0-9]", text))


def test_each_peer_group_is_covered(build):
    assert set(ONE_PER_GROUP) == set(build.totals["peer_group"])


@pytest.mark.parametrize("group,unit", sorted(ONE_PER_GROUP.items()))
def test_scorecard_numbers_are_the_engines(wh, build, group, unit):
    pdf = scorecard_pdf(wh, unit, MONTH, build=build, actor="tester")
    text = text_of(pdf)
    found = tokens(text)
    tot = build.totals.set_index("unit_code").loc[unit]
    assert tot["peer_group"] == group
    for v in (tot["total"], tot["base_score"]):
        assert fmt.num(v) in found, v
    assert f"{int(tot['rank'])}" in found and f"{int(tot['n_in_group'])}" in found
    dims = build.dimensions[build.dimensions["unit_code"] == unit]
    for v in (*dims["score"], *dims["peer_median"]):
        assert fmt.num(v) in found, v
    ind = build.indicators[build.indicators["unit_code"] == unit]
    for _, r in ind.iterrows():
        assert fmt.num(r["points"]) in found, (r["indicator_code"], r["points"])
        if r["status"] == "ok":
            assert fmt.num(r["raw_score"]) in found, (r["indicator_code"], r["raw_score"])
            if r["unit"] == "%":
                assert fmt.value(r["value"], "%") in found, (r["indicator_code"], r["value"])
        if not fmt.missing(r["denominator"]) and r["status"] == "ok":
            assert f"{fmt.count(r['numerator'])}/{fmt.count(r['denominator'])}" in found, r["indicator_code"]
    name = tot["name_zh"]
    assert name in text


def test_scorecard_without_a_build_matches_a_fresh_engine_build(wh):
    pdf = scorecard_pdf(wh, "S05", MONTH, actor="tester")
    fresh = service.build(wh, MONTH).totals.set_index("unit_code").loc["S05"]
    assert fmt.num(fresh["total"]) in tokens(text_of(pdf))


def test_adjustments_and_their_reasons_are_printed(wh, build):
    text = text_of(scorecard_pdf(wh, "S03", MONTH, build=build, actor="tester"))
    tot = build.totals.set_index("unit_code").loc["S03"]
    assert tot["bonus"] == 2 and tot["deduction"] == 1.5
    assert "+2.00" in text and "−1.50" in text
    assert "市级表彰的老旧小区改造经验" in text.replace("\n", "")
    assert fmt.num(tot["total"]) in tokens(text)


def test_veto_is_stated_with_its_reason(wh, build):
    vetoed = build.totals[build.totals["veto"]]
    assert not vetoed.empty, "the sample plants a concealed incident report"
    row = vetoed.iloc[0]
    text = text_of(scorecard_pdf(wh, row["unit_code"], MONTH, build=build, actor="tester")).replace("\n", "")
    assert "一票否决" in text
    assert row["grade_zh"] in text


def test_quarter_scorecard_uses_the_quarter_build(wh):
    q = service.build(wh, MONTH, "quarter")
    text = text_of(scorecard_pdf(wh, "D01", MONTH, period="quarter", build=q, actor="tester"))
    assert fmt.num(q.totals.set_index("unit_code").loc["D01", "total"]) in tokens(text)
    assert "2026-Q4" in text


def test_english_scorecard(wh, build):
    text = text_of(scorecard_pdf(wh, "S01", MONTH, lang="en", build=build, actor="tester"))
    assert "Performance scorecard" in text and "Donghu Street" in text and "Total score" in text
    assert fmt.num(build.totals.set_index("unit_code").loc["S01", "total"]) in tokens(text)


def fonts_of(pdf: bytes) -> list[tuple[str, bool]]:
    """(font name, has an embedded font file) for every font resource on every page."""
    out = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descs = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for d in descs:
                fd = d.get("/FontDescriptor")
                fd = fd.get_object() if fd is not None else {}
                out.append((str(d.get("/BaseFont")), any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    return out


def test_every_font_is_embedded(wh, build):
    for pdf in (scorecard_pdf(wh, "S01", MONTH, build=build, actor="tester"), summary_pdf(wh, MONTH, build=build, actor="tester")):
        fonts = fonts_of(pdf)
        assert fonts and all(embedded for _, embedded in fonts), fonts
        assert all("KaoheSansSC" in name for name, _ in fonts)


def test_every_scorecard_fits_two_pages_and_the_zip_holds_one_per_unit(wh, build, monkeypatch):
    monkeypatch.setattr(batch, "POOL_MIN_UNITS", 1)  # use the process pool even for 30 units
    calls = []
    data = batch.scorecards_zip(wh, MONTH, progress=lambda d, n: calls.append((d, n)), build=build, processes=2, actor="tester")
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = zf.namelist()
    assert len(names) == len(build.totals) and calls[-1] == (len(names), len(names))
    for name in names:
        pages = len(PdfReader(io.BytesIO(zf.read(name))).pages)
        assert 1 <= pages <= 2, name
    assert all(re.fullmatch(r"2026-10_[SD]\d\d_\w+\.pdf", n) for n in names)
    s01 = next(n for n in names if "_S01_" in n)
    assert fmt.num(build.totals.set_index("unit_code").loc["S01", "total"]) in tokens(text_of(zf.read(s01)))


def test_merged_pdf_has_an_outline_entry_per_unit(wh, build):
    calls = []
    pdf = batch.scorecards_merged_pdf(wh, MONTH, progress=lambda d, n: calls.append(d), build=build, actor="tester")
    reader = PdfReader(io.BytesIO(pdf))
    n = len(build.totals)
    assert len(reader.outline) == n and calls == list(range(1, n + 1))
    assert n <= len(reader.pages) <= 2 * n
    assert all(embedded for _, embedded in fonts_of(pdf))


def test_summary_lists_every_unit_with_its_total(wh, build):
    text = text_of(summary_pdf(wh, MONTH, build=build, actor="tester"))
    found = tokens(text)
    for _, r in build.totals.iterrows():
        assert fmt.num(r["total"]) in found, r["unit_code"]
        assert r["unit_code"] in text
    flat = text.replace("\n", "")
    assert "红黑榜" in flat and "预警" in flat and "较上月变化" in flat


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pages_render_and_are_not_blank(wh, build, tmp_path):
    from PIL import Image, ImageStat

    for stem, pdf in (("card", scorecard_pdf(wh, "D07", MONTH, build=build, actor="tester")),
                      ("summary", summary_pdf(wh, MONTH, build=build, actor="tester"))):
        src = tmp_path / f"{stem}.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(src), str(tmp_path / stem)], check=True)
        pngs = sorted(tmp_path.glob(f"{stem}-*.png"))
        assert pngs
        for png in pngs:
            img = Image.open(png).convert("L")
            stat = ImageStat.Stat(img)
            dark = sum(img.histogram()[:200]) / (img.width * img.height)
            assert stat.stddev[0] > 10 and dark > 0.005, (png.name, stat.stddev, dark)


def test_header_states_draft_published_revision_and_differences(wh, tmp_path):
    copy = Warehouse(tmp_path / "pub.duckdb")
    shutil.copy(wh.path, copy.path)
    head = lambda: text_of(scorecard_pdf(copy, "S04", MONTH, actor="tester")).split("\n总分")[0].replace("\n", "")  # noqa: E731
    summary_head = lambda: text_of(summary_pdf(copy, MONTH, actor="tester")).split("优秀")[0].replace("\n", "")  # noqa: E731
    assert "未发布（当前数据）" in head() and "已发布" not in head()
    assert service.publish(copy, MONTH, "tester") == 1
    assert "已发布·第 1 版" in head() and "未发布" not in head() and "更正" not in head() and "注意" not in head()
    service.add_adjustment(copy, "S04", MONTH, "deduction", 2, "信息迟报", None, "tester",
                           correction_reason="补录扣分")  # a published month takes an item only with a reason
    # by default the scorecard of a published month shows its published figures, and says the data moved on
    text = head()
    assert "已发布·第 1 版" in text and "当前数据（与" not in text, text
    assert "发布的第 1 版结果（按其记录重现）；此后数据已有变动" in text, text
    current = lambda: text_of(scorecard_pdf(copy, "S04", MONTH, current=True, actor="tester")).split("\n总分")[0].replace(  # noqa: E731
        "\n", "")
    # the current figures are no longer the published ones: neither PDF says 已发布·第 1 版, both say why
    for text in (current(), summary_head()):
        assert "当前数据（与已发布的第 1 版不同）" in text and "已发布·第" not in text, text
        assert "注意：以下为按当前数据计算的结果" in text and "已发布的结果仍是第 1 版" in text, text
        assert "…" not in text, text  # the long label is not cut short in the running head
    en = text_of(scorecard_pdf(copy, "S04", MONTH, lang="en", current=True, actor="tester")).split("\n")[0]
    assert "live figures (they differ from published revision 1)" in en and "…" not in en, en
    assert service.publish(copy, MONTH, "tester", reason="补录扣分") == 2
    assert "已发布·第 2 版（更正）" in head() and "不同" not in head() and "注意" not in head()
    assert "已发布·第 2 版（更正）" in summary_head() and "注意" not in summary_head()


def edit_weights(wh, year: str = "2026") -> None:
    """Other dimension weights for streets in the warehouse's stored scheme (a new active version: the
    scheme's content changes)."""
    from scoring_fixtures import edit_active_scheme, swap_street_weights

    edit_active_scheme(wh, swap_street_weights, year)


def test_a_scheme_edited_since_publishing_is_stated_in_both_pdfs(wh, tmp_path):
    copy = Warehouse(tmp_path / "pub.duckdb")
    shutil.copy(wh.path, copy.path)
    assert service.publish(copy, MONTH, "tester") == 1
    frozen = store.published_results(copy, MONTH).set_index("unit_code").loc["S04", "total"]
    edit_weights(copy)
    # the published scorecard keeps the scheme it was published with, and says the scheme changed since
    published = text_of(scorecard_pdf(copy, "S04", MONTH, actor="tester"))
    assert f"{frozen:.2f}" in published and "此后考核方案内容已有变动" in published.replace("\n", "")
    card = text_of(scorecard_pdf(copy, "S04", MONTH, current=True, actor="tester")).split("\n总分")[0].replace("\n", "")
    summary = text_of(summary_pdf(copy, MONTH, actor="tester")).split("优秀")[0].replace("\n", "")
    for text in (card, summary):
        assert "当前数据（与已发布的第 1 版不同）" in text and "已发布·第" not in text, text
        assert "按当前考核方案内容计算" in text, text
    en = text_of(scorecard_pdf(copy, "S04", MONTH, lang="en", current=True, actor="tester")).replace("\n", " ")
    assert "differ from published revision 1" in en and "current scheme content" in en


@pytest.fixture(scope="module")
def wh_2024(tmp_path_factory) -> Warehouse:
    """A district whose data end in 2024-06: no 2024 scheme ships, the 2025 one scores it."""
    wh = Warehouse(tmp_path_factory.mktemp("y2024") / "w.duckdb")
    ensure_ready(wh, end="2024-06", n_months=3)
    return wh


def test_a_scheme_of_another_year_is_said_beside_the_scheme(wh_2024):
    b = service.build(wh_2024, "2024-06")
    note = b.scheme_note("zh")
    assert note and "2025" in note and "2024" in note
    card = text_of(scorecard_pdf(wh_2024, "S01", "2024-06", build=b, actor="tester")).split("\n总分")[0].replace("\n", "")
    summary = text_of(summary_pdf(wh_2024, "2024-06", build=b, actor="tester")).split("优秀")[0].replace("\n", "")
    for text in (card, summary):
        assert "考核方案" in text and note in text, text
    en = service.build(wh_2024, "2024-06", lang="en")
    assert en.scheme_note("en") in text_of(scorecard_pdf(wh_2024, "S01", "2024-06", lang="en", build=en, actor="tester")).replace(
        "\n", " ")


def test_a_month_scored_under_its_own_years_scheme_has_no_scheme_note(wh, build):
    assert build.scheme_note("zh") is None
    assert "年方案计分" not in text_of(summary_pdf(wh, MONTH, build=build, actor="tester")).replace("\n", "")


def test_the_summary_states_the_list_rule_beside_the_lists(wh, build):
    from kaohe.metrics.rank import rule_text
    from kaohe.reports.messages import t

    lists = build.scheme.section("lists")
    for lang in ("zh", "en"):
        b = build if lang == "zh" else service.build(wh, MONTH, lang="en")
        text = text_of(summary_pdf(wh, MONTH, lang=lang, build=b, actor="tester"))
        flat = re.sub(r"\s+", "", text)
        rule = re.sub(r"\s+", "", rule_text(lists, lang))
        assert rule in flat, lang
        # where the lists are: after their heading, before the alerts
        heading = re.sub(r"\s+", "", t("report.summary.lists", lang))
        alerts = re.sub(r"\s+", "", t("report.summary.alerts", lang))
        assert flat.index(heading) < flat.index(rule) < flat.index(alerts, flat.index(heading)), lang


def test_missing_and_not_applicable_items_are_footnoted_with_their_treatment(wh):
    b = service.build(wh, "2026-09")
    ind = b.indicators
    miss = ind[ind["status"] == "missing"].iloc[0]
    text = text_of(scorecard_pdf(wh, miss["unit_code"], "2026-09", build=b, actor="tester")).replace("\n", "")
    assert f"缺报：{miss['name_zh']}" in text
    treatment = miss["treatment_zh"].removeprefix("缺报：")  # the note's own label is not said twice
    assert f"方案处理：{treatment}" in text
    na = ind[ind["status"] == "na"].iloc[0]
    text = text_of(scorecard_pdf(wh, na["unit_code"], "2026-09", build=b, actor="tester")).replace("\n", "")
    assert "不适用：" in text and na["name_zh"] in text.split("不适用：")[-1]
    # the sample batch and its actor in words, the date in local time, full-width brackets
    assert re.search(r"数据来源与导入批次：#1 示例区数据（随机种子 20261）（\d{4}-\d\d-\d\d，系统初始化）", text)


def test_adjustments_name_their_kind_actor_and_evidence_in_words(wh, build):
    """The scheme's own bonus says which indicator earned it, in the reader's language; hand-entered
    items name who entered them (the dashboard's user in words, a person by name)."""
    scheme_units = build.adjustments.loc[build.adjustments["actor"] == "scheme", "unit_code"]
    unit = scheme_units.iloc[0]
    row = build.adjustments.loc[build.adjustments["actor"] == "scheme"].iloc[0]
    zh = text_of(scorecard_pdf(wh, unit, MONTH, build=build, actor="tester")).replace("\n", "")
    # the build's words in the reader's language (metrics.adjust.words): kind, actor, evidence
    assert "考核方案（自动计分）" in zh and row["evidence_zh"].replace(" ", "") in zh.replace(" ", "")
    assert "，达到 " in row["evidence_zh"] and row["reason_zh"] in zh
    assert not re.search(r"[A-Z]{2}_[A-Z]+ = ", zh)
    en = text_of(scorecard_pdf(wh, unit, MONTH, lang="en",
                               build=service.build(wh, MONTH, lang="en"), actor="tester")).replace("\n", " ")
    assert "the scheme (automatic)" in en and ", at least " in re.sub(r"\s+", " ", en)
    assert row["reason_en"] in re.sub(r"\s+", " ", en)
    s03 = text_of(scorecard_pdf(wh, "S03", MONTH, build=build, actor="tester"))
    assert "加分" in s03 and "扣分" in s03 and "tester" in s03 and "bonus" not in s03


def test_local_time_on_the_sources_line(wh):
    """A batch stored at 23:30 UTC was imported on the next day in Shanghai: the card says so."""
    import pandas as pd

    from kaohe.reports import context

    ctx = context.load(wh, "2026-09", lang="zh", history=False, units=["S01"])
    ctx.batches = ctx.batches.assign(created_at=pd.Timestamp("2026-11-19 23:30:00"))
    from kaohe.reports.scorecard import _sources

    assert "2026-11-20，系统初始化" in _sources(ctx, "S01")


def test_a_build_of_another_month_is_refused(wh, build):
    with pytest.raises(ValueError, match="2026-10"):
        scorecard_pdf(wh, "S01", "2026-09", build=build, actor="tester")


def test_many_long_adjustments_still_fit_two_pages(wh, tmp_path):
    copy = Warehouse(tmp_path / "adj.duckdb")
    shutil.copy(wh.path, copy.path)
    reason = "网格事件处置不及时，群众反映强烈，经核查属实，按考核办法第十二条扣分。" * 3
    for i in range(6):
        service.add_adjustment(copy, "S06", MONTH, "deduction", 0.5, f"{i + 1}. {reason}", f"督查通报第{i}号", "tester")
    b = service.build(copy, MONTH)
    for lang in ("zh", "en"):
        pdf = scorecard_pdf(copy, "S06", MONTH, lang=lang, build=b, actor="tester")
        assert len(PdfReader(io.BytesIO(pdf)).pages) <= 2, lang
        assert fmt.num(b.totals.set_index("unit_code").loc["S06", "total"]) in tokens(text_of(pdf))
    merged = PdfReader(io.BytesIO(batch.scorecards_merged_pdf(copy, MONTH, "en", build=service.build(copy, MONTH, lang="en"), actor="tester")))
    starts = [merged.get_destination_page_number(o) for o in merged.outline] + [len(merged.pages)]
    assert max(b - a for a, b in zip(starts, starts[1:], strict=False)) <= 2


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(io.BytesIO(pdf)).pages}


A4 = {(595, 842)}  # points


def test_english_documents_are_a4_with_no_chinese_and_nothing_cut_short(wh, build):
    """The sample's units have English names: nothing Chinese may remain, and no cell is shortened with …"""
    b_en = service.build(wh, MONTH, lang="en")
    for pdf in (scorecard_pdf(wh, "S03", MONTH, lang="en", build=b_en, actor="tester"),
                scorecard_pdf(wh, "D10", MONTH, lang="en", build=b_en, actor="tester"),
                summary_pdf(wh, MONTH, lang="en", build=b_en, actor="tester")):
        text = text_of(pdf)
        assert page_sizes(pdf) == A4
        assert not CJK.findall(text.replace("市级表彰的老旧小区改造经验", "").replace("信息迟报一次", "")
                               .replace("区委办〔2026〕12号", ""))  # S03's adjustments were typed in Chinese
        assert "…" not in text


def test_chinese_documents_are_a4_and_nothing_cut_short(wh, build):
    for pdf in (scorecard_pdf(wh, "D10", MONTH, build=build, actor="tester"), summary_pdf(wh, MONTH, build=build, actor="tester")):
        assert page_sizes(pdf) == A4
        assert "…" not in text_of(pdf)


def test_adjustment_line_spells_zero_without_a_sign_and_names_time_units_in_english(wh, build):
    text = text_of(scorecard_pdf(wh, "S01", MONTH, build=build, actor="tester"))
    assert "加分 0.00" in text and "扣分 0.00" in text and "−0.00" not in text and "+0.00" not in text
    en = text_of(scorecard_pdf(wh, "D02", MONTH, lang="en", build=service.build(wh, MONTH, lang="en"), actor="tester"))
    response = build.indicators.set_index(["unit_code", "indicator_code"]).loc[("D02", "EM_RESPONSE"), "value"]
    assert f"{fmt.value(response)} min" in en and "20 min" in en  # the value and its target


def test_the_schemes_own_bonus_is_explained_in_either_language(wh, build):
    adj = build.adjustments
    auto = adj[adj["actor"] == "scheme"]
    assert not auto.empty, "the sample earns a survey bonus"
    row = auto.iloc[0]
    zh = text_of(scorecard_pdf(wh, row["unit_code"], MONTH, build=build, actor="tester")).replace("\n", "")
    assert row["reason_zh"] in zh
    en = text_of(scorecard_pdf(wh, row["unit_code"], MONTH, lang="en", build=service.build(wh, MONTH, lang="en"), actor="tester"))
    assert row["reason_en"] in en.replace("\n", " ")


def test_rank_axis_ticks_and_fills():
    from kaohe.reports.pdf import SIG_FILL, STATUS_FILL, int_ticks

    assert int_ticks(1, 8) == [1, 2, 4, 6, 8]
    assert int_ticks(1, 6) == [1, 2, 3, 4, 5, 6]
    assert int_ticks(1, 4) == [1, 2, 3, 4]
    assert int_ticks(1, 70)[0] == 1 and int_ticks(1, 70)[-1] == 70 and len(int_ticks(1, 70)) <= 7
    assert int_ticks(1, 1) == [1]
    # a missing value must not look like "no significant difference"
    assert STATUS_FILL["missing"] not in SIG_FILL.values()


@pytest.fixture(scope="module")
def vetoed(wh, tmp_path_factory):
    """A copy where S03, which has a bonus and a deduction, also gets a veto typed with its label."""
    copy = Warehouse(tmp_path_factory.mktemp("veto") / "veto.duckdb")
    shutil.copy(wh.path, copy.path)
    service.add_adjustment(copy, "S03", MONTH, "veto", 0, "一票否决：发生较大安全生产责任事故", "认定书", "tester")
    return copy


def test_a_typed_veto_is_stated_once_and_deductions_carry_a_minus(vetoed):
    text = text_of(scorecard_pdf(vetoed, "S03", MONTH, actor="tester")).replace("\n", "")
    assert "一票否决：发生较大安全生产责任事故（等次封顶）" in text and "一票否决：一票否决" not in text
    assert "扣分 −1.50" in text and "+1.50" not in text  # in the adjustments table as on the sum line
    en = text_of(scorecard_pdf(vetoed, "S03", MONTH, lang="en", actor="tester")).replace("\n", "")
    assert "Veto: 一票否决：发生较大安全生产责任事故 (grade capped)" in en
    # the engine states it once, so the explanation (page, CLI) and the downloads do too
    s03 = service.build(vetoed, MONTH).unit("S03")
    assert s03["veto_reason_zh"] == "一票否决：发生较大安全生产责任事故"
    explained = service.build(vetoed, MONTH).explain("S03", "zh")
    assert "一票否决：一票否决" not in " ".join(explained["note"].dropna().astype(str))


def test_a_group_title_row_is_not_left_alone_at_the_foot_of_a_page(vetoed):
    """Every dimension title in the indicator table has its first indicator on the same page."""
    b = service.build(vetoed, MONTH, lang="en")
    for unit in ("S03", "S01", "D02"):
        pdf = scorecard_pdf(vetoed, unit, MONTH, lang="en", build=b, actor="tester")
        dims = set(b.dimensions.loc[b.dimensions["unit_code"] == unit, "name_en"])
        for page in PdfReader(io.BytesIO(pdf)).pages:
            lines = [ln.strip() for ln in page.extract_text().split("\n")]
            assert lines[-2] not in dims, (unit, lines[-3:])  # lines[-1] is the page footer


def test_a_quarter_summary_is_named_for_its_period(wh):
    q = service.build(wh, MONTH, "quarter")
    first = PdfReader(io.BytesIO(summary_pdf(wh, MONTH, "quarter", build=q, actor="tester"))).pages[0].extract_text()
    assert "季度考核情况通报" in first and "2026-Q4" in first and "月度考核情况通报" not in first


def test_every_text_the_engine_hands_the_reports_has_glyphs_in_the_shipped_font(wh, build):
    """Rule texts, treatments, reasons, alerts: a character outside the subset would print as 〓."""
    from kaohe.reports import fonts

    charset = fonts.charset()
    missing = set()
    for b in (build, service.build(wh, MONTH, lang="en"), service.build(wh, MONTH, "quarter")):
        for frame in (b.indicators, b.totals, b.dimensions, b.adjustments):
            for col in frame.columns:
                for v in frame[col]:
                    texts = [v] if isinstance(v, str) else (list(v) if isinstance(v, list | tuple) else [])
                    missing |= {c for x in texts if isinstance(x, str) for c in x
                                if ord(c) >= 0x20 and ord(c) not in charset}
    from kaohe.metrics.rank import alert_text

    cfg = build.scheme.section("alerts", {})
    codes = {str(c) for v in build.totals["alerts"] if isinstance(v, list | tuple) for c in v}
    assert codes, "the sample raises alerts"
    missing |= {c for code in codes for lang in ("zh", "en") for c in alert_text(code, cfg, lang)
                if ord(c) >= 0x20 and ord(c) not in charset}
    assert not missing, sorted(missing)


@pytest.mark.parametrize("evidence,lang,shown", [
    ("CP_SURVEY = 95.2 >= 95", "zh", "{name} 95.2（条件：≥95）"),
    ("PT_ESCALATE = 6 >= 3", "en", "{name} 6 (condition: ≥ 3)"),
    ("区委办〔2026〕12号", "zh", "区委办〔2026〕12号"),  # typed by hand: as typed
    (None, "zh", ""),
])
def test_evidence_in_words(wh, evidence, lang, shown):
    from kaohe.reports import context

    ctx = context.load(wh, MONTH, lang=lang, history=False, units=["S01"])
    code = (evidence or "").split(" ")[0]
    shown = shown.format(name=ctx.indicator_name(code)) if "{name}" in shown else shown
    assert ctx.evidence_text({"evidence": evidence}) == shown


def test_a_batch_is_named_in_the_readers_language(wh):
    from kaohe.reports import context

    zh = context.load(wh, MONTH, lang="zh", history=False, units=["S01"])
    assert zh.batch_source({"kind": "sample", "source_name": "sample district (seed 20261)"}) == "示例区数据（随机种子 20261）"
    assert zh.batch_source({"kind": "import", "source_name": "8月指标.csv"}) == "8月指标.csv"
    assert zh.batch_source({"kind": "import", "source_name": None}) == "文件导入"
    en = context.load(wh, MONTH, lang="en", history=False, units=["S01"])
    assert en.batch_source({"kind": "sample", "source_name": "sample district (seed 20261)"}) == \
        "sample district data (seed 20261)"


def test_adjustment_tables_use_the_builds_words_and_work_without_them(wh, build):
    """kind_/actor_/reason_/evidence_{lang} from build.adjustments are what the card prints; a
    build without them (an older engine) still prints the item from its codes."""
    import dataclasses

    adj = build.adjustments.copy()
    s03 = adj["unit_code"].eq("S03")
    adj.loc[s03, "actor_zh"] = "区考核办张三"
    adj.loc[s03, "reason_zh"] = "按构建给出的事由"
    worded = dataclasses.replace(build, adjustments=adj)
    text = text_of(scorecard_pdf(wh, "S03", MONTH, build=worded, actor="tester")).replace("\n", "")
    assert "区考核办张三" in text and "按构建给出的事由" in text and "tester" not in text
    bare = dataclasses.replace(build, adjustments=build.adjustments.drop(
        columns=[c for c in build.adjustments.columns if c.endswith(("_zh", "_en"))]))
    text = text_of(scorecard_pdf(wh, "S03", MONTH, build=bare, actor="tester")).replace("\n", "")
    assert "加分" in text and "扣分" in text and "tester" in text and "信息迟报一次" in text


def test_a_sample_batch_is_named_from_its_kind_and_the_seed_in_its_detail(wh):
    from kaohe.reports import context

    zh = context.load(wh, MONTH, lang="zh", history=False, units=["S01"])
    stored = zh.batches.set_index("batch_id").loc[1]
    assert stored["kind"] == "sample" and not isinstance(stored["source_name"], str)  # stored without a name
    assert zh.batch_source(stored) == "示例区数据（随机种子 20261）"
    detail = '{"generator": "kaohe.data.sample", "units": 33, "seed": 7}'
    assert zh.batch_source({"kind": "sample", "source_name": None, "source_detail": detail}) == "示例区数据（随机种子 7）"
    # migrated from an older file: the old English name kept in the detail
    old = '{"source": "sample district (seed 20261)"}'
    assert zh.batch_source({"kind": "sample", "source_name": None, "source_detail": old}) == "示例区数据（随机种子 20261）"
    for bad in (None, "", "not json", "[1]", '{"seed": "x"}', '{"seed": true}'):
        assert zh.batch_source({"kind": "sample", "source_name": None, "source_detail": bad}) == "示例区数据", bad
    en = context.load(wh, MONTH, lang="en", history=False, units=["S01"])
    assert en.batch_source({"kind": "sample", "source_detail": detail}) == "sample district data (seed 7)"
