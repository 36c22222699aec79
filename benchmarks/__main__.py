"""`python -m benchmarks [name ...]`: run benchmarks/bench_<name>.py (all by default)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    available = sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))
    chosen = argv or available
    unknown = set(chosen) - set(available)
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(available)}")
        return 2
    status = 0
    for name in chosen:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        status |= module.main()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
