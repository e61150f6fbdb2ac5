"""Workarounds for Snakemake's own process, applied by the Snakefile; docs/development.md says why each exists and
bench/README.md what it saves.

What belongs here: changes to Snakemake's behaviour that make every run faster or its console shorter without
changing what it builds or records. The two that reach into Snakemake's private names are guarded: on the Snakemake
release they were checked against and on the names each relies on (`PRIVATE_NAMES`). Where a name is gone, the
workaround says so once on the console ("Snakemake X.Y: the ... workaround no longer applies") and the build runs
without it; a test fails on a Snakemake without them. The others use only Python's garbage collector and logging
filters. Nothing here changes a job, an output or the recorded metadata.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading

# The Snakemake 9 releases these were read against; outside them, nothing is patched.
CHECKED_MAJOR = 9
CHECKED_FROM_MINOR = 1


def _snakemake_version() -> tuple[int, int]:
    try:
        from snakemake import __version__
    except ImportError:
        return (0, 0)
    parts = __version__.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (0, 0)


def _checked_release() -> bool:
    major, minor = _snakemake_version()
    return major == CHECKED_MAJOR and minor >= CHECKED_FROM_MINOR


# The private names of Snakemake each workaround relies on: module, class, attributes.
PRIVATE_NAMES = {
    "params fingerprint": (
        "snakemake.persistence",
        "PersistenceBase",
        ("_serialize_param", "_serialize_param_builtin"),
    ),
    "rate limiter timer": ("snakemake.scheduling.job_scheduler", "JobScheduler", ("_schedule_reevalutation",)),
}
_said: set[str] = set()


def missing_names(workaround: str) -> list[str]:
    """The private names a workaround needs that the installed Snakemake lacks, as dotted names."""
    module_name, class_name, attributes = PRIVATE_NAMES[workaround]
    try:
        holder = getattr(importlib.import_module(module_name), class_name, None)
    except ImportError:
        holder = None
    if holder is None:
        return [f"{module_name}.{class_name}"]
    return [f"{module_name}.{class_name}.{name}" for name in attributes if not hasattr(holder, name)]


def _say_once(workaround: str, why: str) -> None:
    """Tell the console, once per run, that a workaround does not apply to this Snakemake."""
    if workaround in _said:
        return
    _said.add(workaround)
    major, minor = _snakemake_version()
    print(f"Snakemake {major}.{minor}: the {workaround} workaround no longer applies ({why}).", file=sys.stderr)


def applies(workaround: str) -> bool:
    """Whether a workaround applies to the installed Snakemake; where it does not, it says so once."""
    if not _checked_release():
        _say_once(
            workaround, f"it was checked on Snakemake {CHECKED_MAJOR}.{CHECKED_FROM_MINOR} and later {CHECKED_MAJOR}.x"
        )
        return False
    missing = missing_names(workaround)
    if missing:
        _say_once(workaround, f"{', '.join(missing)} is gone")
        return False
    return True


def fingerprint_params_without_pandas() -> bool:
    """Snakemake fingerprints rule params with pandas (imported on every run, no-op included: ~0.3 s) whenever
    pandas is installed, in case a param is a DataFrame. Ours are text and numbers, which it fingerprints with the
    same builtin function either way, so the recorded fingerprints do not change. Returns whether it applied."""
    if not applies("params fingerprint"):
        return False
    from snakemake.persistence import PersistenceBase

    PersistenceBase._serialize_param = property(lambda self: self._serialize_param_builtin)
    return True


def _is_rate_limiter_timer(thread: threading.Thread) -> bool:
    """The one-second timer the job scheduler starts to re-evaluate its job rate limit (and nothing else)."""
    function = getattr(thread, "function", None)
    return isinstance(thread, threading.Timer) and getattr(function, "__qualname__", "").startswith(
        "JobScheduler._schedule_reevalutation"
    )


def cancel_rate_limiter_timers() -> int:
    """After the last job, Snakemake's job rate limiter leaves a one-second non-daemon timer running, and Python
    waits for it before exiting: every build that ran a job would end a second late. Cancel only those timers.
    Returns how many were cancelled."""
    if not applies("rate limiter timer"):
        return 0
    timers = [thread for thread in threading.enumerate() if _is_rate_limiter_timer(thread)]
    for timer in timers:
        timer.cancel()
    return len(timers)


def freeze_loaded_objects() -> int:
    """Keep the garbage collector off the objects Snakemake's process has made so far (its ~1,000 imported modules,
    the parsed Snakefile's helpers): `gc.freeze()`. They live until the process ends anyway; without this, every
    full collection while the DAG is built and jobs are scheduled walks them, and the collection Python makes as it
    shuts down costs ~0.15 s of every run, no-op included. Not tied to a Snakemake release: it changes when memory is
    scanned, never what is built. Returns how many objects are frozen."""
    gc.freeze()
    return gc.get_freeze_count()


SCHEDULER_ROUNDS = ("Select jobs to execute...",)


def _is_scheduler_round(record) -> bool:
    """One of the scheduler's round messages ("Select jobs to execute...", "Execute 2 jobs..."), which name no job."""
    message = record.getMessage()
    return message in SCHEDULER_ROUNDS or (message.startswith("Execute ") and message.endswith(" jobs..."))


def hide_scheduler_rounds(quiet, verbose: bool = False) -> bool:
    """With the profile's `quiet: [progress, ...]` a build's console is its summary, except for the scheduler's
    rounds, which no `quiet` setting hides (two lines a round, twelve on a full build). Hide them too, unless the
    progress is shown or `--verbose` is given. Uses Python's logging filters on Snakemake's logger. Returns whether
    it applied."""
    import logging

    if verbose or "progress" not in {str(getattr(level, "name", level)).lower() for level in quiet or ()}:
        return False
    logging.getLogger("snakemake.logging").addFilter(lambda record: not _is_scheduler_round(record))
    return True
