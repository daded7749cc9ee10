"""Make the two faces the 通报 (reports/bulletin.py) embeds, as subsets like make_subset.py makes the sans:

* KaoheSerifSC-Bold.ttf: Noto Serif CJK SC Bold (SIL OFL 1.1), the heavy Song face of the title and the
  red 版头 (GB/T 9704 sets them in 小标宋; Noto Serif CJK's Bold is the closest open face);
* KaoheKaiSC-Regular.ttf: LXGW WenKai Regular (SIL OFL 1.1), an open 楷体 for the body (GB/T 9704's body is
  仿宋; no open 仿宋 is packaged, 楷体 is the usual alternative).

Run from the repository root (Debian: `apt-get install fonts-noto-cjk fonts-lxgw-wenkai`):

    python reports/fonts/make_bulletin_fonts.py

The character set is make_subset.py's (GB2312, punctuation, full-width forms, the seed files' characters);
the families are renamed ("Kaohe Serif SC", "Kaohe Kai SC") since a modified font should not keep the
original's name.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_subset import _to_truetype, wanted  # noqa: E402

SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
KAI = Path("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf")


def _subset(font) -> None:
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "vhea", "vmtx", "VORG"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted(wanted()))
    sub.subset(font)


def _rename(font, family: str, postscript: str, source: str, style: str = "Regular") -> None:
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    for nid, text in ((1, family), (2, style), (3, f"{postscript}-{style}"), (4, f"{family} {style}"),
                      (6, f"{postscript}-{style}")):
        name.setName(text, nid, 3, 1, 0x409)
    name.setName(f"Subset of {source} for Kaohe reports; SIL Open Font License 1.1", 5, 3, 1, 0x409)


def _one_cmap(font) -> None:
    cmap = font["cmap"]
    cmap.tables = [tb for tb in cmap.tables if (tb.platformID, tb.platEncID) == (3, 1)]


def make_serif(source: Path = SERIF, output: Path = HERE / "KaoheSerifSC-Bold.ttf") -> Path:
    font = next(f for f in TTCollection(str(source)).fonts if f["name"].getDebugName(4).startswith("Noto Serif CJK SC"))
    _subset(font)
    _to_truetype(font)
    _rename(font, "Kaohe Serif SC", "KaoheSerifSC", "Noto Serif CJK SC Bold", "Bold")
    _one_cmap(font)
    font.save(str(output))
    return output


def make_kai(source: Path = KAI, output: Path = HERE / "KaoheKaiSC-Regular.ttf") -> Path:
    font = TTFont(str(source))
    _subset(font)
    _rename(font, "Kaohe Kai SC", "KaoheKaiSC", "LXGW WenKai Regular")
    _one_cmap(font)
    font.save(str(output))
    return output


if __name__ == "__main__":
    for out in (make_serif(), make_kai()):
        print(f"{out.name} {out.stat().st_size / 1e6:.2f} MB")
