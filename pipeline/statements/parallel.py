"""Render many statements at once: one worker process per core (WeasyPrint is CPU-bound and not
thread-friendly), each keeping one `Renderer` (and its loaded fonts) for all its statements.

Workers are started with `spawn`: the parent holds a DuckDB connection, and forking a process with a
live database and its threads is not safe. A worker writes each PDF to the temporary path the parent
chose and returns its sha256; the parent decides versions and renames files into place, so a crash
leaves no half-written statement. WeasyPrint's (and our glyph check's) warnings raised in a worker
are sent back and logged in the parent under the same logger, where tests and the CLI see them like
in-process ones.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from pipeline.statements.files import atomic_write
from pipeline.statements.render import Renderer
from pipeline.statements.viewmodel import StatementView

LOG = logging.getLogger(__name__)
_renderer: Renderer | None = None


@dataclass(frozen=True)
class Rendered:
    customer_id: str
    path: Path
    sha256: str
    messages: tuple[str, ...]
    in_worker: bool


def _worker_renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def _render_one(view: StatementView, target: Path, in_worker: bool) -> Rendered:
    result = _worker_renderer().render_statement(view)
    atomic_write(target, result.pdf)
    return Rendered(view.customer_id, target, result.sha256, result.messages, in_worker)


def _render_in_worker(view: StatementView, target: Path) -> Rendered:
    return _render_one(view, target, in_worker=True)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render_views(
    jobs: Sequence[tuple[StatementView, Path]],
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Rendered]:
    """Render each view to its target path; results in the order of `jobs`.

    `workers=None` uses one process per core; 1 renders in this process. `progress(done, total)` is
    called after each statement (and once with 0 before the first).
    """
    total = len(jobs)
    workers = min(workers or default_workers(), max(1, total))
    if progress:
        progress(0, total)
    results: dict[int, Rendered] = {}
    if workers == 1:
        for index, (view, target) in enumerate(jobs):
            results[index] = _render_one(view, target, in_worker=False)
            if progress:
                progress(index + 1, total)
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            try:
                futures = {pool.submit(_render_in_worker, view, target): i for i, (view, target) in enumerate(jobs)}
                pending = set(futures)
                while pending:
                    done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                    for future in done:
                        results[futures[future]] = future.result()  # re-raises a worker's exception here
                        if progress:
                            progress(len(results), total)
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    ordered = [results[i] for i in range(total)]
    for item in ordered:
        if item.in_worker:
            for message in item.messages:
                name, level, text = message.split("|", 2)
                logging.getLogger(name).log(
                    logging.getLevelName(level), "%s (statement of %s, worker process)", text, item.customer_id
                )
    return ordered


__all__ = ["render_views", "Rendered", "default_workers"]
