"""The one way a page shows a metric with a change: the arrow and colour follow the sign and its meaning.

Streamlit picks the arrow from the start of the delta text, so words put before the number (较上月 -0.48)
hid the minus and drew a green up arrow on a fall. Here the delta is always the signed number alone and
the words go to `delta_description`:

- a score (higher is better): +0.48 is a green up arrow, -0.48 a red down arrow;
- a rank as places moved (`rank_change` = previous rank - rank, positive = moved up): rank 3 -> 5 is
  -2, a red down arrow;
- zero shows no arrow, grey; no previous value shows no delta at all.
"""

from __future__ import annotations

import math

from kaohe.base import i18n

# measure -> (number format, delta_color, description key)
MEASURES = {
    "score": ("{:+.2f}", "normal", "delta.month"),
    "score_period": ("{:+.2f}", "normal", "delta.period"),
    "places": ("{:+d}", "normal", "delta.places"),
}


def _missing(change) -> bool:
    if change is None:
        return True
    try:
        return bool(change != change) or (isinstance(change, float) and math.isnan(change))
    except (TypeError, ValueError):  # pandas NA
        return True


def delta_args(change, measure: str, lang: str) -> dict:
    """Keyword arguments for st.metric showing `change` of a `measure` (see MEASURES); {} for no change known.

    The delta is a number (or a signed number as text, never words first), so Streamlit's arrow and colour
    follow its sign; zero is the number 0 (grey, no arrow)."""
    if _missing(change):  # None, NaN and pd.NA (whose bool() raises: _missing says so)
        return {}
    fmt, colour, words = MEASURES[measure]
    value = int(change) if measure == "places" else round(float(change), 2)
    args = {"delta_color": colour, "delta_description": i18n.t(words, lang)}
    if value == 0:
        return {**args, "delta": 0}
    return {**args, "delta": fmt.format(value)}


def metric(container, label: str, value, *, change=None, measure: str = "score", lang: str = "zh",
           help: str | None = None) -> None:
    """st.metric on `container` (st, a column), with its change shown through `delta_args`."""
    container.metric(label, value, help=help, **delta_args(change, measure, lang))
