"""A scheme workbook read back and validated: every problem names the sheet and row it came from.

The reader (`kaohe.ingest.scheme_book`) turns the sheets into the scheme's dict and remembers where each
part was; the validation (`scheme_model`) then speaks of parts; here the two are put together."""

from __future__ import annotations

from kaohe.base.i18n import t
from kaohe.ingest import scheme_book as layout
from kaohe.metrics.scheme import SchemeError


def read_workbook(data: bytes, lang: str | None = None, *, name: str = "workbook.xlsx",
                  max_bytes: int | None = None) -> dict:
    """A workbook's scheme as a dict, not yet validated; a cell that cannot be read is refused as a
    SchemeError (`WorkbookRefused`), sheet by sheet and row by row."""
    from kaohe.ingest import limits

    try:
        return layout.read_book(data, lang, name=name, max_bytes=max_bytes or limits.MAX_UPLOAD_BYTES).data
    except layout.BookRefusal as exc:
        raise WorkbookRefused(exc, lang) from None


def load_workbook(data: bytes, catalogue, lang: str | None = None, *, name: str = "workbook.xlsx",
                  year: str | None = None, max_bytes: int | None = None):
    """A workbook read (`kaohe.ingest.scheme_book`) and validated as a scheme (`scheme.load_dict`), the
    Scheme. Refused with a `kaohe.metrics.scheme.SchemeError` whose every problem names its sheet and row
    (`WorkbookRefused` when a cell cannot be read, `BookSchemeError` when the scheme is not valid)."""
    from kaohe.ingest import limits
    from kaohe.metrics import scheme, scheme_model

    try:
        book = layout.read_book(data, lang, name=name, max_bytes=max_bytes or limits.MAX_UPLOAD_BYTES)
    except layout.BookRefusal as exc:
        raise WorkbookRefused(exc, lang) from None
    errors = scheme_model.check(book.data, catalogue, year)[1]
    if not errors:
        return scheme.load_dict(book.data, catalogue, lang, year=year)
    raise BookSchemeError(scheme._scheme_id(book.data), errors, book, lang)


def _place(book: layout.Book, loc: tuple) -> tuple[str, int | None] | None:
    for n in range(len(loc), 0, -1):
        hit = book.places.get(tuple(loc[:n]))
        if hit is not None:
            return hit
    return None


def _located(errors: list[dict], book: layout.Book, lang) -> list[str]:
    from kaohe.metrics import scheme

    out = []
    for err in errors:
        words = scheme.describe([err], book.data, lang)
        if not words:
            continue
        hit = _place(book, tuple(err.get("loc") or ()))
        text = words[0]
        if hit is not None:
            title, row = hit
            text = (t("book.at.row", lang, sheet=title, row=row, what=text) if row is not None
                    else t("book.at.sheet", lang, sheet=title, what=text))
        if text not in out:
            out.append(text)
    return out


class BookSchemeError(SchemeError):  # a SchemeError whose problems name the workbook's sheets and rows
    def __init__(self, scheme_id: str, errors: list[dict], book: layout.Book, lang: str | None = None):
        self.book = book
        super().__init__(scheme_id, [], lang, errors=errors, data=book.data)
        self.problems = _located(errors, book, lang)

    def problems_in(self, lang: str | None) -> list[str]:
        return _located(self.errors, self.book, lang)


class WorkbookRefused(SchemeError):  # the reader's refusal (a cell that cannot be read) as a SchemeError
    def __init__(self, refusal: layout.BookRefusal, lang: str | None = None):
        self.refusal = refusal
        super().__init__(refusal.name, refusal.problems_in(lang), lang)

    def problems_in(self, lang: str | None) -> list[str]:
        return self.refusal.problems_in(lang)

    def message(self, lang: str | None) -> str:
        return self.refusal.text(lang)
