"""Formula injection and PDF text cleaning, as tables; the shipped font and its licence."""

from __future__ import annotations

import pytest

from reports import fmt, fonts, safe


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
])
def test_cell(given, expected):
    assert safe.cell(given) == expected


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


def test_page_downloads_use_the_report_rules():
    """The dashboard's CSV buttons and the report exports share one neutraliser and one CSV writer."""
    import pandas as pd

    from reports import csvexport
    from ui import downloads

    assert downloads.neutralise is safe.cell and downloads.csv_bytes is csvexport.csv_bytes
    out = downloads.csv_bytes(pd.DataFrame({"n": [1], "s": ["=HYPERLINK(\"x\")"]}))
    assert out.startswith(b"\xef\xbb\xbf") and "'=HYPERLINK" in out.decode("utf-8-sig")


def test_font_covers_gb2312_the_seed_data_and_our_messages():
    from kaohe import i18n
    from reports import messages  # noqa: F401 - registers the report strings

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
