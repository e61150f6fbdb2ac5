"""The Snakemake workarounds check the private names they rely on: present on the Snakemake the project pins (this
test fails the day one is gone), and where one is missing the workaround says so once and does nothing."""

from __future__ import annotations

import pytest

from tnr_pipeline.workflow import snakemake_patches


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
