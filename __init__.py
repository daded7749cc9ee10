"""Kaohe (考核): shared configuration, language and month helpers, and the command line."""

__version__ = "0.1.0"
