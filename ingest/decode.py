"""Bytes to text for CSV/TSV: UTF-8 (with or without BOM), GBK/GB18030, or UTF-16 with its BOM (Excel's
"Unicode 文本"), detected, never asked.

A file in another encoding (Big5, Shift_JIS...) is refused by name rather than read as mojibake: GB18030
accepts almost any byte pairs, so a Big5 file "decodes" to nonsense characters that match nothing.
"""

from __future__ import annotations

import codecs
import re

from kaohe.ingest.errors import FileProblem

BINARY_SAMPLE = 8192
PLAUSIBLE = 0.7  # share of Chinese characters a real GBK file has among the common ones (it has ~1.0)
_CONTROLS = bytes(b for b in range(32) if b not in (9, 10, 13))


def looks_binary(data: bytes) -> bool:
    """Another format (a picture, an archive, a renamed file): control bytes all through its start.
    A text file with one stray NUL is not this; it is refused with its row (`nul_row`)."""
    head = data[:BINARY_SAMPLE]
    if not head:
        return False
    controls = sum(head.count(bytes([b])) for b in _CONTROLS)
    return controls / len(head) > 0.05 or head.count(b"\x00") > 16


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises FileProblem for binary data, a NUL byte, a mix of encodings, or an
    encoding we do not read."""
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):  # before the binary check: UTF-16 is full of NUL bytes by design
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise FileProblem("val.file_encoding") from None
            _refuse_nul(text)
            return text, codec
    if looks_binary(data):
        raise FileProblem("val.file_binary")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileProblem("val.file_nul", row=data.count(b"\n", 0, nul) + 1)
    if data.startswith(codecs.BOM_UTF8):
        text, label = _strict(data[3:], "utf-8", "utf-8-sig")
        _refuse_garbled(text)
        return text, label
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_garbled(text)
        return text, "utf-8"
    _refuse_mixed(data)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    else:
        _refuse_implausible(data, text)
        return text, "gb18030"
    guess = _other_encoding(data)
    if guess:
        raise FileProblem("val.file_encoding_unsupported", looks_zh=guess[0], looks_en=guess[1])
    return _western(data)


def _western(data: bytes) -> tuple[str, str]:
    """A Western single-byte file ("Café" in cp1252): readable when what it says is not Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            pass
        else:
            if not _chinese(text[:200_000]):
                return text, best.encoding
            raise FileProblem("val.file_encoding_unsupported", looks_zh=best.encoding, looks_en=best.encoding)
    raise FileProblem("val.file_encoding")


def _strict(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError:
        _refuse_mixed(data)
        raise FileProblem("val.file_encoding") from None


def _refuse_nul(text: str) -> None:
    nul = text.find("\x00")
    if nul >= 0:
        raise FileProblem("val.file_nul", row=text.count("\n", 0, nul) + 1)


def _refuse_mixed(data: bytes) -> None:
    """Some lines only valid UTF-8, others only GBK: a file pasted together from two systems."""
    utf8_only = gbk_only = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            as_utf8 = line.decode("utf-8")
            ok_utf8 = True
        except UnicodeDecodeError:
            ok_utf8 = False
        if ok_utf8 and not _cjk(as_utf8):
            # GBK bytes that happen to be valid UTF-8 (值 = D6 B5 reads as a Hebrew point): not a UTF-8 line
            ok_utf8 = False
            try:
                line.decode("gb18030")
                continue
            except UnicodeDecodeError:
                ok_utf8 = True
        if ok_utf8:
            utf8_only = utf8_only or number
        else:
            try:
                line.decode("gb18030")
                gbk_only = gbk_only or number
            except UnicodeDecodeError:
                pass
        if utf8_only and gbk_only:
            raise FileProblem("val.file_mixed_encoding", row=max(utf8_only, gbk_only),
                              utf8_row=utf8_only, gbk_row=gbk_only)


# -- is the text what the file says? ------------------------------------------------------------------

def _cjk(text: str) -> bool:
    return any("\u3000" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text)


def _chinese(text: str) -> list[str]:
    """The characters a Chinese reading of the bytes produced: CJK ideographs, kana and private-use
    characters (the last two are much of what Big5 bytes become in GBK; a real GBK file has neither)."""
    return [c for c in text if "\u4e00" <= c <= "\u9fff" or "\u3040" <= c <= "\u30ff"
            or "\ue000" <= c <= "\uf8ff" or "\u3400" <= c <= "\u4dbf"]


def _common_share(chars: list[str], codec: str, lead: tuple[int, int]) -> float:
    """Share of chars that are common characters of `codec`: their first byte in `lead` (GB2312 rows
    16-87 hold its 6,763 hanzi; Big5 0xA4-0xC6 its 5,401 常用字)."""
    if not chars:
        return 1.0
    ok = 0
    for c in chars:
        try:
            b = c.encode(codec)
        except UnicodeEncodeError:
            continue
        ok += len(b) == 2 and lead[0] <= b[0] <= lead[1]
    return ok / len(chars)


def _refuse_implausible(data: bytes, text: str) -> None:
    """GBK decodes almost anything: a Big5 file reads without error as nonsense. Refuse it by name."""
    sample = _chinese(text[:200_000])
    if len(sample) < 4 or _common_share(sample, "gb2312", (0xB0, 0xF7)) >= PLAUSIBLE:
        return
    guess = _other_encoding(data) or ("无法识别的编码（按 GBK 读出的是乱码）",
                                      "an unknown encoding (read as GBK it is gibberish)")
    raise FileProblem("val.file_encoding_unsupported", looks_zh=guess[0], looks_en=guess[1])


# Other scripts' encodings, named when a file decodes as one of them with enough of its own letters:
# (codec, that script's letters, the share of non-ASCII characters they must make, the names)
_OTHER_SCRIPTS = [
    ("shift_jis", ("\u3040", "\u30ff"), 0.2, ("Shift_JIS（日文）", "Shift_JIS (Japanese)")),  # kana
    ("euc-kr", ("\uac00", "\ud7a3"), 0.5, ("EUC-KR（韩文）", "EUC-KR (Korean)")),  # hangul
]


def _other_encoding(data: bytes) -> tuple[str, str] | None:
    """(zh, en) name of the encoding the bytes plausibly are, among those we do not read."""
    sample = data[:200_000]
    for codec in ("big5", "cp950"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        chars = _chinese(text)
        if chars and _common_share(chars, "big5", (0xA4, 0xF9)) >= PLAUSIBLE:
            return "Big5（繁体中文，台湾/香港常用）", "Big5 (Traditional Chinese, as used in Taiwan and Hong Kong)"
    for codec, (low, high), share, names in _OTHER_SCRIPTS:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        own = sum(1 for c in text if low <= c <= high)
        if own and own / max(1, sum(1 for c in text if ord(c) > 127)) > share:
            return names
    return None


_LATIN_MOJIBAKE = re.compile("[\u00c0-\u00ff][\u0080-\u00bf\u0152-\u2122]")


def _refuse_garbled(text: str) -> None:
    """Text that is valid UTF-8 but was damaged before: replacement characters (a file opened in the
    wrong encoding and saved), or UTF-8 Chinese read as Western text and saved again (东 -> ä¸œ)."""
    bad = text.find("\ufffd")
    if bad >= 0:
        raise FileProblem("val.file_garbled", row=text.count("\n", 0, bad) + 1, char="U+FFFD")
    sample = text[:200_000]
    m = _LATIN_MOJIBAKE.search(sample)
    if not m:
        return
    start = sample.rfind("\n", 0, m.start()) + 1
    end = sample.find("\n", m.start())
    line = sample[start:] if end < 0 else sample[start:end]
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = line.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if any("\u4e00" <= c <= "\u9fff" for c in fixed):
            raise FileProblem("val.file_garbled", row=sample.count("\n", 0, m.start()) + 1,
                              char=" ".join(f"U+{ord(c):04X}" for c in m.group()))
