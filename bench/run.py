"""Run every benchmark (`python -m bench.run`) or some (`python -m bench.run warehouse scoring`).

Each `bench/bench_NAME.py` defines `main(argv)` and prints its own figures and targets; other flags
(`--skip-l`) go to each benchmark chosen, and a benchmark ignores the ones it does not know.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench
from bench import common


def main(argv: list[str] | None = None) -> int:
    names = argv if argv is not None else sys.argv[1:]
    available = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(bench.__path__)
                       if m.name.startswith("bench_"))
    flags = [n for n in names if n.startswith("-")]
    if {"-h", "--help"} & set(flags):
        print(__doc__.strip() + "\n\navailable: " + ", ".join(available))
        return 0
    chosen = [n for n in names if not n.startswith("-")] or available
    unknown = sorted(set(chosen) - set(available))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    for name in chosen:
        importlib.import_module(f"bench.bench_{name}").main(flags)
        print()
    common.summary()
    return 0


if __name__ == "__main__":
    sys.exit(main())
