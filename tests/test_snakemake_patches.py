"""The Snakemake workarounds (tnr_pipeline.workflow.snakemake_patches), kept out of the Snakefile: each patch does
exactly what it is for (the rate limiter's timer, the fingerprint, freezing the collector, hiding the scheduler's
rounds) and applies only to the Snakemake release it was checked on."""

from __future__ import annotations

import logging
import re
import threading
from types import SimpleNamespace

import pytest

from helpers import ROOT
from tnr_pipeline.workflow import snakemake_patches
from tnr_pipeline.workflow.snakemake_patches import _is_scheduler_round, hide_scheduler_rounds


def test_the_scheduler_rounds_are_hidden_only_when_the_progress_is(monkeypatch):
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("snakemake.logging", logging.INFO, __file__, 1, message, (), None)

    assert _is_scheduler_round(record("Select jobs to execute..."))
    assert _is_scheduler_round(record("Execute 2 jobs..."))
    assert not _is_scheduler_round(record("Execute the plan"))
    assert not _is_scheduler_round(record("Building DAG of jobs..."))
    logger = logging.getLogger("snakemake.logging")
    monkeypatch.setattr(logger, "filters", [])
    assert not hide_scheduler_rounds(["rules"])
    assert not hide_scheduler_rounds(["progress"], verbose=True)
    assert hide_scheduler_rounds(["progress", "rules"])
    assert not logger.filter(record("Select jobs to execute..."))
    assert logger.filter(record("Building DAG of jobs..."))


def test_the_snakefile_is_a_table_of_contents_without_patches():
    text = (ROOT / "Snakefile").read_text(encoding="utf-8")
    for patch in ("threading", "PersistenceBase", "_serialize_param", "Timer", "def "):
        if patch == "def ":
            assert len(re.findall(r"^def ", text, re.M)) <= 1  # `modules`, the one helper
        else:
            assert patch not in text, patch


def test_only_the_rate_limiters_timer_is_cancelled():
    def other():
        pass

    def release():
        pass

    release.__qualname__ = "JobScheduler._schedule_reevalutation.<locals>.<lambda>"
    mine, limiter = threading.Timer(30, other), threading.Timer(30, release)
    mine.start(), limiter.start()
    try:
        assert snakemake_patches.cancel_rate_limiter_timers() == 1
        limiter.join(2)
        assert not limiter.is_alive() and mine.is_alive()
    finally:
        mine.cancel()


def test_the_fingerprint_patch_applies_on_the_installed_snakemake():
    """The speed-up is real only if the patch applies to the Snakemake the project pins: True here, and the params
    are then fingerprinted by the builtin function."""
    from snakemake import persistence

    assert snakemake_patches.fingerprint_params_without_pandas() is True
    patched = persistence.PersistenceBase.__dict__["_serialize_param"]
    builtin = object()
    assert isinstance(patched, property) and patched.fget(SimpleNamespace(_serialize_param_builtin=builtin)) is builtin


def test_freezing_keeps_the_collector_off_what_is_loaded_and_nothing_else():
    """What exists when the Snakefile freezes is never collected (its modules live to the end anyway); garbage made
    after it is collected as before."""
    import gc
    import weakref

    class Cycle:
        def __init__(self):
            self.me = self

    loaded = Cycle()
    try:
        frozen = snakemake_patches.freeze_loaded_objects()
        assert frozen >= gc.get_freeze_count() > 0  # a frozen object can still be freed by its reference count
        made_later = Cycle()
        loaded_alive, later_alive = weakref.ref(loaded), weakref.ref(made_later)
        del loaded, made_later
        gc.collect()
        assert loaded_alive() is not None and later_alive() is None
    finally:
        gc.unfreeze()
    gc.collect()
    assert loaded_alive() is None


def test_patches_apply_only_to_the_snakemake_release_they_were_checked_on(monkeypatch):
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (8, 20))
    assert snakemake_patches.fingerprint_params_without_pandas() is False
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (10, 0))
    assert snakemake_patches.fingerprint_params_without_pandas() is False


# ---- the private names each workaround relies on ----------------------------------------------------------


@pytest.mark.parametrize("workaround", sorted(snakemake_patches.PRIVATE_NAMES))
def test_every_private_name_a_workaround_needs_is_in_the_installed_snakemake(workaround):
    assert snakemake_patches.missing_names(workaround) == []


def test_a_missing_name_is_said_once_and_the_workaround_is_not_applied(monkeypatch, capsys):
    monkeypatch.setitem(
        snakemake_patches.PRIVATE_NAMES,
        "params fingerprint",
        ("snakemake.persistence", "PersistenceBase", ("_serialize_param", "_gone_in_a_later_release")),
    )
    monkeypatch.setattr(snakemake_patches, "_said", set())
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (9, 99))
    assert snakemake_patches.fingerprint_params_without_pandas() is False
    assert snakemake_patches.fingerprint_params_without_pandas() is False
    said = capsys.readouterr().err.splitlines()
    assert said == [
        "Snakemake 9.99: the params fingerprint workaround no longer applies "
        "(snakemake.persistence.PersistenceBase._gone_in_a_later_release is gone)."
    ]


def test_a_missing_class_is_named(monkeypatch):
    monkeypatch.setitem(
        snakemake_patches.PRIVATE_NAMES, "rate limiter timer", ("snakemake.scheduling.job_scheduler", "Gone", ("x",))
    )
    assert snakemake_patches.missing_names("rate limiter timer") == ["snakemake.scheduling.job_scheduler.Gone"]


def test_another_release_is_said_once_too(monkeypatch, capsys):
    monkeypatch.setattr(snakemake_patches, "_said", set())
    monkeypatch.setattr(snakemake_patches, "_snakemake_version", lambda: (10, 0))
    assert snakemake_patches.cancel_rate_limiter_timers() == 0
    assert snakemake_patches.cancel_rate_limiter_timers() == 0
    assert capsys.readouterr().err == (
        "Snakemake 10.0: the rate limiter timer workaround no longer applies (it was checked on Snakemake 9.1 and "
        "later 9.x).\n"
    )
