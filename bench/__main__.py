"""`python -m bench` lists the benchmarks; `python -m bench NAME [ARGS…]` runs one;
`python -m bench all` runs each with its defaults, one after the other.

A benchmark is a module of this folder with a ``main(argv)`` function; each prints its
figures beside a baseline measured in the same run and exits 1 when it misses its target.
"""

import importlib
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def benchmarks() -> dict[str, str]:
    """{name: first line of its docstring} of every benchmark module in this folder."""
    found = {}
    for path in sorted(FOLDER.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{path.stem}")
        if callable(getattr(module, "main", None)):
            found[path.stem] = (module.__doc__ or "").strip().splitlines()[0]
    return found


def _run(name: str, args: list[str]) -> int:
    """Run one benchmark in its own process (its memory and imports are its own)."""
    command = [sys.executable, "-m", f"bench.{name}", *args]
    return subprocess.run(command, cwd=FOLDER.parent, check=False).returncode


def main(argv: list[str]) -> int:
    """List, run one, or run all benchmarks."""
    sys.path.insert(0, str(FOLDER.parent))
    available = benchmarks()
    if not argv or argv[0] in ("-h", "--help", "list"):
        print("Benchmarks (python -m bench NAME [--help], or python -m bench all):")
        for name, summary in available.items():
            print(f"  {name:<14} {summary}")
        return 0
    if argv[0] == "all":
        failed = [name for name in available if _run(name, []) != 0]
        print(f"benchmarks missing their target: {', '.join(failed) or 'none'}")
        return 1 if failed else 0
    if argv[0] not in available:
        print(f"unknown benchmark {argv[0]!r}; choose among: {', '.join(available)}")
        return 2
    return _run(argv[0], argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
