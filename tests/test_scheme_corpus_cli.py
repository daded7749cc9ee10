"""Every bad scheme file of the corpus (tests/scheme_corpus.py), workbooks and JSON, refused by
`kaohe scheme import` and `kaohe scheme validate` in the user's language, saying what and where, with
the warehouse byte-for-byte as it was (issue 14: bad files for units, catalogue and scheme)."""

from __future__ import annotations

import hashlib

import pytest
import scheme_corpus as corpus

from kaohe.cli import main


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_bad_scheme_workbook_is_refused_in_words_and_changes_nothing(sample_wh, tmp_path, capsys, lang):
    db = str(sample_wh.path)
    before = sha256(sample_wh.path)
    cases = [c for c in corpus.bad_workbooks(lang) if not c.kwargs]
    assert len(cases) >= 25
    for case in cases:
        path = tmp_path / case.name
        path.write_bytes(case.data)
        for action in ("import", "validate"):
            capsys.readouterr()
            assert main(["--lang", lang, "scheme", "--db", db, action, str(path)]) == 1, (case.name, action)
            err = capsys.readouterr().err
            for fragment in case.expect:
                assert fragment in err, (case.name, action, fragment, err)
            assert "Traceback" not in err, (case.name, err)
        assert sha256(sample_wh.path) == before, case.name


def test_every_bad_scheme_json_is_refused_in_words_and_changes_nothing(sample_wh, tmp_path, capsys):
    db = str(sample_wh.path)
    before = sha256(sample_wh.path)
    for name, data, expect in corpus.bad_json():
        path = tmp_path / name
        path.write_bytes(data)
        capsys.readouterr()
        assert main(["scheme", "--db", db, "import", str(path), "--activate"]) == 1, name
        err = capsys.readouterr().err
        for fragment in expect:
            assert fragment in err, (name, fragment, err)
        assert "数据仓库未作任何改动" in err, err
        assert sha256(sample_wh.path) == before, name
