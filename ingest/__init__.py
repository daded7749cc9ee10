"""Reading evaluators' files as they come: decode, find the table, normalise to one long frame.

`ingest.pipeline` is the one path from bytes to a landed batch, used by the
upload page and by `kaohe import` alike.
"""
