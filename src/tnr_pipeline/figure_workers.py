"""Drawing figures in parallel: a pool of forked workers that draw and save figures given as functions.

What belongs here: only the pool. Forked workers share the imports and tables already loaded, so they start at
once; the files are the same whatever the number of workers.
"""

from __future__ import annotations

from pathlib import Path

from tnr_pipeline.figure_layout import save_figure

# What the forked workers draw: functions cannot be sent to a process, but a forked one has them.
_DRAWINGS: dict = {}


def _draw_and_save(name: str, stem: str) -> list[Path]:
    return save_figure(_DRAWINGS[name](), stem)


def draw_all(drawings: dict, stems: dict[str, str], workers: int = 1) -> list[Path]:
    """Draw each figure (name -> function returning the Figure) and save it beside its stem (name -> path without
    extension), in `workers` forked processes where the system can fork. The files are the same whatever the number
    of workers; they are listed in the order of `drawings`."""
    import multiprocessing

    _DRAWINGS.clear()
    _DRAWINGS.update(drawings)
    try:
        jobs = [(name, stems[name]) for name in drawings]
        if workers > 1 and len(jobs) > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(min(workers, len(jobs))) as pool:
                written = pool.starmap(_draw_and_save, jobs, chunksize=1)
        else:
            written = [_draw_and_save(*job) for job in jobs]
    finally:
        _DRAWINGS.clear()
    return [path for paths in written for path in paths]
