"""The base layer: the calendar of months, the one clock, settings and language. Imports nothing from Kaohe."""
