"""Formula injection and PDF text cleaning, as tables; the shipped font and its licence."""

from __future__ import annotations

import pytest

from kaohe.reports import fmt, fonts, safe


@pytest.mark.parametrize("given,expected", [
    ("=1+1", "'=1+1"),
    ("+86 10 1234", "'+86 10 1234"),
    ("-3 for a late report", "'-3 for a late report"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=cmd", "'\t=cmd"),
    ("\r=cmd", "'\r=cmd"),
    ("＝1+1", "'＝1+1"),  # full-width signs: WPS runs them too
    ("－3 迟报", "'－3 迟报"),
    ("东湖街道", "东湖街道"),
    ("a=b", "a=b"),
    ("", ""),
    (-3.5, -3.5),
    (None, None),
    # a number is no formula: it stays a number, and text that is only a number reads as one
    (-1, -1),
    ("-1", -1),
    ("-0.5", -0.5),
    ("+3", "+3"),  # a number, but 3 would not read the same: kept as written, with no quote
    ("-1.50", "-1.50"),
    ("-1e5", "-1e5"),
    ("-99999999999999999999999", "-99999999999999999999999"),  # beyond a spreadsheet's whole numbers: text
    # anything else starting with a formula sign is neutralised
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("+1+1", "'+1+1"),
    ("=1", "'=1"),
    ("-inf", "'-inf"),
    ("-1 ", "'-1 "),
    ("\t-1", "'\t-1"),
    ("－1", "'－1"),  # a full-width sign is no ASCII number: WPS may take it for a formula
])
def test_cell(given, expected):
    got = safe.cell(given)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("given,expected", [
    ("东湖街道", "东湖街道"),
    ("line\nbreak", "line break"),
    ("bell\x07 and \u202eoverride", "bell and override"),
    ("tab\there", "tab here"),
    (None, ""),
    (float("nan"), ""),
    ("𠀀 rare", "〓 rare"),  # outside the shipped subset: a visible mark, not an empty box
])
def test_pdf_text(given, expected):
    assert safe.pdf_text(given) == expected


def test_every_export_keeps_numbers_as_numbers():
    """safe.frame leaves numeric columns alone (dtype and all) and turns number text into numbers."""
    import io

    import openpyxl
    import pandas as pd

    from kaohe.reports import csvexport
    from kaohe.reports.excel import Column, write_table

    df = pd.DataFrame({"n": [-1, 2], "x": [-0.5, 1.25], "k": pd.array([-3, None], dtype="Int64"),
                       "s": ["-1", "=cmd|' /C calc'!A0"], "t": pd.Series(["+1+1", "-2"], dtype="str")})
    out = safe.frame(df)
    assert out["n"].dtype == df["n"].dtype and out["x"].dtype == df["x"].dtype and out["k"].dtype == df["k"].dtype
    assert out["s"].tolist() == [-1, "'=cmd|' /C calc'!A0"] and out["t"].tolist() == ["'+1+1", -2]
    text = csvexport.csv_bytes(df).decode("utf-8-sig")
    assert "'-1" not in text and "-1,-0.5,-3,-1,'+1+1" in text and "'=cmd" in text
    wb = openpyxl.Workbook()
    write_table(wb.active, df, [Column(c, c) for c in df.columns])
    buf = io.BytesIO()
    wb.save(buf)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    assert [c.value for c in ws[2]] == [-1, -0.5, -3, -1, "'+1+1"]
    assert ws["D3"].value == "'=cmd|' /C calc'!A0" and ws["D3"].data_type == "s"


def test_page_downloads_use_the_report_rules():
    """The dashboard's CSV buttons and the report exports share one neutraliser and one CSV writer."""
    import pandas as pd

    from kaohe.reports import csvexport
    from kaohe.ui import downloads

    assert downloads.neutralise is safe.cell and downloads.csv_bytes is csvexport.csv_bytes
    out = downloads.csv_bytes(pd.DataFrame({"n": [1], "s": ["=HYPERLINK(\"x\")"]}))
    assert out.startswith(b"\xef\xbb\xbf") and "'=HYPERLINK" in out.decode("utf-8-sig")


def test_font_covers_gb2312_the_seed_data_and_our_messages():
    from kaohe.base import i18n
    from kaohe.reports import messages  # noqa: F401 - registers the report strings

    cs = fonts.charset()
    gb = [bytes([hi, lo]).decode("gb2312", errors="ignore") for hi in range(0xB0, 0xF8) for lo in range(0xA1, 0xFF)]
    assert all(ord(c) in cs for c in "".join(gb))
    seed = "".join(p.read_text(encoding="utf-8") for p in (fonts.DIR.parents[1] / "data" / "seed").glob("*.csv"))
    assert not {c for c in seed if ord(c) >= 0x20 and ord(c) not in cs}
    report_keys = [k for k in i18n.keys() if k.startswith("report.")]  # noqa: SIM118 - a function, not a dict
    texts = "".join(i18n.t(k, lang) for k in report_keys for lang in ("zh", "en"))
    assert not {c for c in texts if ord(c) >= 0x20 and ord(c) not in cs}
    assert not {c for c in "▲▼—…·〓−" if ord(c) not in cs}


def test_font_files_are_small_and_licensed():
    for path in fonts.FILES.values():
        assert path.exists() and path.stat().st_size < 4_000_000
    text = fonts.LICENCE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text and "Noto Sans CJK SC" in text


@pytest.mark.parametrize("fn,args,expected", [
    (fmt.num, (92.8899,), "92.89"),
    (fmt.num, (None,), "—"),
    (fmt.value, (97.6, "%"), "97.60%"),
    (fmt.value, (100.0, "%"), "100%"),
    (fmt.value, (3.0, "次", True), "3次"),
    (fmt.change, (2,), "▲2"),
    (fmt.change, (-1,), "▼1"),
    (fmt.change, (0,), "="),
    (fmt.change, (__import__("pandas").NA,), "—"),
    (fmt.rank, (None, 8), "—"),
    (fmt.weight, (0.072,), "7.2"),
    (fmt.weight, (0.3,), "30"),
    (fmt.weight_column, (0.0375,), "3.75"),
    (fmt.weight_column, (0.03,), "3.00"),
    (fmt.count, (32093.0,), "32,093"),
])
def test_formats(fn, args, expected):
    assert fn(*args) == expected


def _font_streams(pdf: bytes) -> list[bytes]:
    import io

    from pypdf import PdfReader

    out = []
    for ref in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        desc = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        out.append(desc["/FontFile2"].get_object().get_data())
    return out


def test_cached_font_embeds_the_same_bytes_as_a_fresh_parse():
    """fonts.register reuses a parsed prototype; the embedded glyphs must equal fpdf2's own."""
    from fpdf import FPDF

    def doc(register) -> bytes:
        pdf = FPDF()
        register(pdf)
        pdf.add_page()
        for style in ("", "B"):
            pdf.set_font(fonts.FAMILY, style, 12)
            pdf.cell(text="东湖街道 考核 92.89 第 1 名 / 共 8 名 ▲2")
        pdf.set_creation_date(__import__("datetime").datetime(2026, 1, 1, tzinfo=__import__("datetime").UTC))
        return bytes(pdf.output())

    def plain(pdf):
        for style, path in fonts.FILES.items():
            pdf.add_font(fonts.FAMILY, style, str(path))

    fonts.register(FPDF())  # make sure the prototype exists, so the next calls clone it
    expected = [_outlines(b) for b in _font_streams(doc(plain))]
    assert [_outlines(b) for b in _font_streams(doc(fonts.register))] == expected
    assert [_outlines(b) for b in _font_streams(doc(fonts.register))] == expected


def _outlines(data: bytes) -> list:
    """Each embedded glyph's advance width and outline points, in glyph order, plus the cmap."""
    import io

    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    glyf, hmtx = font["glyf"], font["hmtx"]
    out = [sorted(font.getBestCmap().items())]
    for name in font.getGlyphOrder():
        coords, ends, flags = glyf[name].getCoordinates(glyf)
        out.append((hmtx[name][0], list(coords), list(ends), [f & 1 for f in flags]))
    return out
