"""Subcommands of `kaohe`; every module here defines `register(subparsers)`."""
