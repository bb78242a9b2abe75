"""A large NDJSON file read in parts by as many processes as the machine has cores.

Parsing and reducing a resource costs far more than storing it: a Bulk Data export of a
million practitioners is cut at line boundaries into parts of :data:`PART_BYTES`; reader
processes (forked before the import opens its database connection, so that no child holds a
copy of it in use) read and reduce them into the columns the single reader makes, and hand
them back in file order, while this process takes each in and writes what it can
(:mod:`healthforce.fhir.early`). Line numbers, the first holder of a duplicated identifier
and every problem read exactly as in one pass. Small files, and machines with one core or
that cannot fork, are read in one pass."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool
from pathlib import Path
from typing import Generic, TypeVar

from healthforce.errors import Problem
from healthforce.fhir.reading import Entry, Lines, is_ndjson, ndjson

#: Below this size a file is read in one pass (more processes cost more than they save).
PARALLEL_BYTES = 64 * 2**20
#: The size of the parts a large file is cut into.
PART_BYTES = 32 * 2**20

T = TypeVar("T")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split(path: Path, n: int) -> list[tuple[int, int]]:
    """``n`` parts of the file as (start byte, end byte), each ending at a line's end."""
    size = path.stat().st_size
    bounds = [0]
    with path.open("rb") as handle:
        for k in range(1, n):
            handle.seek(max(size * k // n, bounds[-1]))
            handle.readline()
            bounds.append(min(handle.tell(), size))
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def worth_parts(path: Path) -> bool:
    """Whether a file is NDJSON large enough to be read in parts."""
    return path.is_file() and path.stat().st_size >= PARALLEL_BYTES and is_ndjson(path)


@contextmanager
def readers(files: list[Path]) -> Iterator[Pool | None]:
    """Reader processes for the large NDJSON files among ``files``, forked now; None when
    every file is better read in one pass."""
    n = min(cores(), 8)
    if n < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    if not any(worth_parts(f) for f in files):
        yield None
        return
    with multiprocessing.get_context("fork").Pool(n) as pool:
        yield pool


class Job(Generic[T]):
    """Read one part: ``reduce()``, ``add`` for each of its resources, then ``done``."""

    def __init__(
        self,
        reduce: Callable[[], T],
        add: Callable[[T, Entry], None],
        done: Callable[[T], None],
        path: Path,
    ) -> None:
        self.reduce, self.add, self.done, self.path = reduce, add, done, path

    def __call__(self, part: tuple[int, int]) -> tuple[T, list[Problem], int]:
        """The part's reduction, its problems and its number of lines (numbered from 1: who
        knows how many lines come before it adds them)."""
        problems: list[Problem] = []
        into = self.reduce()
        lines = Lines()
        for entry in ndjson(self.path, problems, part[0], part[1], 1, lines):
            self.add(into, entry)
        self.done(into)
        return into, problems, lines.count


def in_parts(
    pool: Pool,
    job: Job[T],
    alongside: Callable[[], object] | None = None,
) -> Iterator[tuple[T, list[Problem], int]]:
    """Each part's reduction, its problems and the number of lines before it, in file order,
    as soon as it is read; a part's lines are numbered from 1 (add the lines before to read
    them as in the whole file). ``alongside`` (the file's digest, say: work that leaves the
    interpreter's lock) runs meanwhile in a thread of this process."""
    size = job.path.stat().st_size
    parts = split(job.path, max(2, -(-size // PART_BYTES)))
    helper = threading.Thread(target=alongside) if alongside else None
    if helper is not None:
        helper.start()  # the readers are forked already: none inherits a running thread
    try:
        before = 0
        for into, problems, lines in pool.imap(job, parts):
            yield into, problems, before
            before += lines
    finally:
        if helper is not None:
            helper.join()
