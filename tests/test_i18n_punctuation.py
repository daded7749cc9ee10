"""Chinese messages use full-width punctuation (，；：（）！？), as official documents do; English keeps ASCII."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

from kaohe.base import i18n

PACKAGES = ("kaohe.base", "kaohe.cli", "kaohe.data", "kaohe.metrics", "kaohe.validation", "kaohe.ingest",
            "kaohe.reports", "kaohe.ui")
HALF = re.compile(r"[,;:()!?]")
CJK = re.compile(r"[\u3400-\u9fff]")


def _load_every_catalogue() -> None:
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        for mod in pkgutil.walk_packages(pkg.__path__, name + "."):
            if not mod.name.endswith("__main__"):
                importlib.import_module(mod.name)


def half_width_marks(text: str) -> list[str]:
    """The half-width marks in a Chinese text, outside {placeholders}, 14:05 times and 1,000 numbers."""
    bare = re.sub(r"\{[^{}]*\}", "", text)
    bare = re.sub(r"(?<=\d)[:,](?=\d)", "", bare)
    bare = re.sub(r"`[^`]*`", "", bare)  # a command quoted for the reader to type
    return HALF.findall(bare)


def test_every_chinese_message_uses_full_width_punctuation():
    _load_every_catalogue()
    bad = {k: i18n.t(k, "zh") for k in i18n.keys()  # noqa: SIM118 (a function, not a dict)
           if CJK.search(i18n.t(k, "zh")) and half_width_marks(i18n.t(k, "zh"))}
    assert not bad, bad


@pytest.mark.parametrize(("text", "marks"), [
    ("文件有 {n} 项错误，未导入", []), ("时间 14:05，共 1,000 行", []), ("错误:{x}", [":"]),
    ("分值{x:.1f}分（封顶）", []), ("请运行 `kaohe init --no-sample`", []),
])
def test_the_check_itself(text, marks):
    assert half_width_marks(text) == marks
