"""A file that cannot be read at all: one problem, one message key, nothing else happens."""

from __future__ import annotations


class FileProblem(Exception):
    """The file as a whole is unusable (empty, binary, wrong format, too large...).

    `key` is an i18n message key ("val.file_*") registered in validation.problems; `params` fill it in;
    `row` is the file's own line number when one line is to blame, `column` the column (a letter or the
    file's header) when one cell is.
    """

    def __init__(self, key: str, row: int | None = None, column: str | None = None, **params):
        super().__init__(key)
        self.key, self.row, self.column, self.params = key, row, column, params
