"""Text that came from a file or a form, shown as text: never as markdown, HTML, a link or an image.

Streamlit renders markdown in st.markdown, st.caption, st.info/warning/error/success, st.write of a string,
widget labels and help. Prefer st.text or a dataframe cell for such text; where it must sit inside a
sentence, pass it through `plain()` first.
"""

from __future__ import annotations

import re

# Every character Markdown (CommonMark + GFM, as Streamlit renders it) or KaTeX gives a meaning to.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&\"'])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")


WJ = "\u2060"
_AUTOLINK = re.compile(r"(?<=\\:)(?=/)|(?<=[wW]{3})(?=\\\.)")


def plain(text: object) -> str:
    """`text` escaped so that Streamlit's markdown shows it literally (no link, image, emphasis or HTML)."""
    if text is None:
        return ""
    value = _CONTROL.sub("", str(text))
    value = _SPECIAL.sub(r"\\\1", value)
    # GFM links bare URLs, www. names and e-mail addresses after the escapes: a word joiner (invisible,
    # not copied as a space) breaks each pattern so nothing becomes a link
    value = _AUTOLINK.sub(WJ, value)
    value = value.replace("@", WJ + "@")
    return value.replace("\n", "  \n")
