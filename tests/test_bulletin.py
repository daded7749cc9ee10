"""The 通报 as a 公文: A4, fonts embedded as subsets, every word inside GB/T 9704's text block (156 x 225 mm,
top 37 mm, left 28 mm) but the page numbers 7 mm below it, the red header and the 文号 from the office's
settings, the title, one ranking table per peer group with the build's totals, the lists, 抄送; the CLI."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from kaohe.cli import main
from kaohe.data import office
from kaohe.metrics import commentary as cm
from kaohe.metrics import service
from kaohe.reports import bulletin as bl
from kaohe.reports.bulletin import bulletin_pdf

MM = 72 / 25.4
MONTH = "2026-10"


@pytest.fixture(scope="module")
def pdfs(sample_db, tmp_path_factory):
    from kaohe.data.warehouse import Warehouse

    path = tmp_path_factory.mktemp("bl") / "copy.duckdb"
    shutil.copy(sample_db, path)
    wh = Warehouse(path)
    out = {lang: bulletin_pdf(wh, MONTH, "month", lang, actor="tester") for lang in ("zh", "en")}
    return wh, out


def words(data: bytes, tmp_path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, x0, y0, x1, y1, word) in points from the page's top-left, by poppler's pdftotext -bbox."""
    f = tmp_path / "b.pdf"
    f.write_bytes(data)
    out = subprocess.run(["pdftotext", "-bbox", str(f), "-"], capture_output=True, text=True, check=True).stdout
    result, page = [], 0
    for line in out.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            result.append((page, *(float(m.group(i)) for i in range(1, 5)), html.unescape(m.group(5))))
    return result


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a4_fonts_embedded_and_text_in_the_block(pdfs, tmp_path, lang):
    _, out = pdfs
    data = out[lang]
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (210, 297)
    fonts = {}
    for page in reader.pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            desc = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(f["/BaseFont"])] = "/FontFile2" in desc
    assert fonts and all(fonts.values()), fonts  # every font embedded
    names = " ".join(fonts)
    assert "KaoheSerifSC" in names and "KaoheKaiSC" in names  # the title's Song face, the body's Kai
    assert all(re.match(r"/[A-Z]{6}\+", n) for n in fonts)  # as subsets
    left, right = bl.LEFT * MM, (bl.LEFT + bl.BLOCK_W) * MM
    top, bottom = bl.TOP * MM, (bl.TOP + bl.BLOCK_H) * MM
    ws = words(data, tmp_path)
    assert ws
    pages = {p for p, *_ in ws}
    outside = []
    for p, x0, y0, x1, y1, w in ws:
        inside = left - 0.5 <= x0 and x1 <= right + 0.5 and top - 0.5 <= y0 and y1 <= bottom + 0.5
        page_no = y0 >= bottom + (bl.PAGE_NO_DROP - 2) * MM and re.fullmatch(r"[—-]|\d+", w)
        if not inside and not page_no:
            outside.append((p, x0, y0, x1, y1, w))
    assert outside == []
    # every page has its number below the block
    numbers = {p for p, x0, y0, x1, y1, w in ws if y0 > bottom and w == str(p)}
    assert numbers == pages


def test_header_number_title_tables_and_record(pdfs, tmp_path):
    wh, out = pdfs
    ws = words(out["zh"], tmp_path)
    text = "".join(w for *_, w in ws)
    o = office.load(wh, "zh")
    assert o["header"] in text
    assert "示考核办〔2026〕10号" in text
    assert "关于2026-10绩效考核结果的通报" in text
    # the header 35 mm below the block's top, on page one
    head = next(w for w in ws if w[5].startswith(o["header"][:4]))
    assert head[0] == 1 and abs(head[2] - (bl.TOP + bl.HEADER_DROP) * MM) < 4 * MM
    b = service.build(wh, MONTH, n_history=3)
    for g in cm.groups(b):
        for r in b.totals[b.totals["peer_group"] == g].itertuples():
            assert f"{r.total:.2f}" in text
            assert r.name_zh in text
    # one table per peer group, under its numbered heading (a table split over pages repeats its head row)
    assert text.count("主要失分") >= len(cm.groups(b))
    for n, g in enumerate(cm.groups(b)):
        name = b.totals.loc[b.totals["peer_group"] == g, "peer_group_zh"].iloc[0]
        assert f"{'一二三四五'[n]}、{name}" in text
    assert "红榜" in text and "黑榜" in text
    assert "抄送：" in text and "印发" in text and "2026年11月20日" in text
    # a group's commentary is in the body
    said = next(s for s in cm.group(b, cm.groups(b)[0], "zh") if s.kind == "median_moved")
    assert said.text.replace(" ", "") in text.replace(" ", "")


def test_the_office_edits_its_text_not_the_code(pdfs, tmp_path):
    wh, _ = pdfs
    office.save(wh, {"header": "测试区考核办公室文件", "abbr": "测考办", "cc": "区委办公室。"}, lang="zh",
                actor="tester")
    text = "".join(w for *_, w in words(bulletin_pdf(wh, MONTH, actor="tester"), tmp_path))
    assert "测试区考核办公室文件" in text and "测考办〔2026〕10号" in text and "抄送：区委办公室。" in text
    with pytest.raises(ValueError):
        office.save(wh, {"nonsense": "x"}, lang="zh", actor="tester")


def test_english_bulletin(pdfs, tmp_path):
    _, out = pdfs
    text = " ".join(w for *_, w in words(out["en"], tmp_path))
    assert "Bulletin on the performance assessment results for 2026-10" in text
    assert "Copy to:" in text and not re.search(r"[\u3400-\u9fff]", text)


def test_cli(pdfs, tmp_path, capsys):
    wh, _ = pdfs
    target = tmp_path / "bulletin.pdf"
    assert main(["bulletin", "--db", str(wh.path), "--month", MONTH, "-o", str(target)]) == 0
    assert target.read_bytes().startswith(b"%PDF")
    assert "bulletin.pdf" in capsys.readouterr().out


def test_scorecard_and_summary_carry_the_commentary_and_the_map(pdfs, tmp_path):
    from kaohe.reports.scorecard import scorecard_pdf
    from kaohe.reports.summary import summary_pdf

    wh, _ = pdfs
    b = service.build(wh, MONTH, n_history=3)
    card = "".join(w for *_, w in words(scorecard_pdf(wh, "S06", MONTH, current=True, actor="tester"), tmp_path))
    assert "点评" in card
    first = next(s for s in cm.unit(b, "S06", "zh") if s.kind != "veto")
    assert first.text.replace(" ", "") in card.replace(" ", "")
    summ = summary_pdf(wh, MONTH, actor="tester")
    text = "".join(w for *_, w in words(summ, tmp_path))
    assert "街道（乡镇）等次分布图" in text
    said = next(s for s in cm.group(b, cm.groups(b)[0], "zh") if s.kind == "median_moved")
    assert said.text.replace(" ", "") in text.replace(" ", "")
    # the map is drawn as vector shapes: polygons of line segments in the page's content
    page = PdfReader(io.BytesIO(summ)).pages[0].get_contents().get_data().decode("latin-1")
    assert len(re.findall(r"(?m)^[\d.]+ [\d.]+ l$", page)) >= 12 * 3
