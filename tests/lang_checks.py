"""Text checks the tests share (import as `from lang_checks import CJK`)."""

from __future__ import annotations

import re

# CJK ideographs (extension A too) and full-width punctuation (、,:() are not English
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
