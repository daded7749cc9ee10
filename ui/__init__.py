"""Streamlit glue shared by the pages: set-up, language, cached reads and figure builders.

Pages stay thin: they lay out widgets and call this package, `data/` and `metrics/`.
"""

from kaohe.ui.routing import route_through_app

route_through_app()
