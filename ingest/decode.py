"""Bytes to text for CSV/TSV: UTF-8 (with or without BOM) or GBK/GB18030, detected, never asked."""

from __future__ import annotations

import codecs

from ingest.errors import FileProblem

BINARY_SAMPLE = 8192


def looks_binary(data: bytes) -> bool:
    head = data[:BINARY_SAMPLE]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bool(head) and controls / len(head) > 0.05


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). Raises FileProblem for binary data or a mix of encodings."""
    if looks_binary(data):
        raise FileProblem("val.file_binary")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_mixed(data)
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    raise FileProblem("val.file_encoding")


def _strict(data: bytes, codec: str, label: str) -> tuple[str, str]:
    try:
        return data.decode(codec), label
    except UnicodeDecodeError:
        _refuse_mixed(data)
        raise FileProblem("val.file_encoding") from None


def _refuse_mixed(data: bytes) -> None:
    """Some lines only valid UTF-8, others only GBK: a file pasted together from two systems."""
    utf8_only = gbk_only = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            ok_utf8 = True
        except UnicodeDecodeError:
            ok_utf8 = False
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
