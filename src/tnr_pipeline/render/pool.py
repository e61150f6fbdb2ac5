"""Running a step's independent pieces of work at once: a pool of forked processes.

What belongs here: only the pool. Forked workers share the imports and the data the step has already loaded, so
they start at once; the results are the same, and in the same order, whatever the number of workers. The figure
step draws its figures with it, the document step renders its languages with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

# What the forked workers run: functions cannot be sent to a process, but a forked one has them.
_JOBS: dict = {}


def _run(key: Hashable):
    return _JOBS[key]()


def run_forked(jobs: dict[Hashable, Callable[[], object]], workers: int = 1) -> list:
    """Call each function of `jobs` (key -> function of no arguments) in `workers` forked processes where the system
    can fork, else one after another here; the results come in the order of `jobs`."""
    import gc
    import multiprocessing

    _JOBS.clear()
    _JOBS.update(jobs)
    try:
        keys = list(jobs)
        if workers > 1 and len(keys) > 1 and "fork" in multiprocessing.get_all_start_methods():
            gc.freeze()  # what the step has loaded stays: the workers' collections walk only their own objects
            with multiprocessing.get_context("fork").Pool(min(workers, len(keys))) as pool:
                return pool.map(_run, keys, chunksize=1)
        return [_run(key) for key in keys]
    finally:
        _JOBS.clear()
