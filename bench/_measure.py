"""Measuring helpers shared by the benchmarks: wall time and peak memory of a process tree."""

import os
import threading
import time
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    """{parent pid: [child pids]} for every process visible in /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: read after the last ")".
        parent = int(text.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(stat.parent.name))
    return children


def process_tree(root: int) -> list[int]:
    """A process and all its descendants."""
    children, pids, stack = _children_map(), [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, ()))
    return pids


def _pss_kib(pid: int) -> int:
    """Proportional set size: shared pages are divided among the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_mib(root: int | None = None) -> float:
    """PSS of a process and all its descendants, in MiB."""
    return sum(_pss_kib(pid) for pid in process_tree(root or os.getpid())) / 1024


class Peak:
    """Samples this process tree's memory while the block runs: ``seconds`` and ``mib``."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.mib = 0.0
        self.seconds = 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.mib = max(self.mib, tree_memory_mib())
            self._stop.wait(self.interval)

    def __enter__(self) -> "Peak":
        self.mib = tree_memory_mib()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        self._started = time.perf_counter()
        return self

    def __exit__(self, *_exc) -> None:
        self.seconds = time.perf_counter() - self._started
        self._stop.set()
        self._thread.join()
        self.mib = max(self.mib, tree_memory_mib())
