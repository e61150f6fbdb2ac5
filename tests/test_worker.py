"""The warm worker: a step run through it prints, writes and exits exactly as in its own process; it serves only
its user and an unchanged installation, and it can be turned off."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, pipeline_env
from tnr_pipeline import registry, worker


@pytest.fixture
def private_worker():
    """A worker of its own (its own runtime folder, short enough for a socket's path), started and ready; stopped
    at the end."""
    import tempfile

    run_dir = Path(tempfile.mkdtemp(prefix="w", dir="/tmp"))
    env = {**pipeline_env(), "XDG_RUNTIME_DIR": str(run_dir), "TNR_PIPELINE_WORKER_IDLE": "60"}
    process = subprocess.Popen([sys.executable, "-m", "tnr_pipeline.worker"], env=env)
    folder = run_dir / f"tnr-pipeline-{os.getuid()}"
    for _ in range(1200):
        if list(folder.glob("*.sock")):
            break
        time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("the worker did not start")
    yield env, folder, process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    shutil.rmtree(run_dir, ignore_errors=True)


def run(env: dict, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["tnr-pipeline", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def unfinished_catalogue(tmp_path: Path) -> Path:
    po = tmp_path / "messages.po"
    text = (ROOT / registry.catalogue("ru")).read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Главное"', 'msgstr ""', 1), encoding="utf-8")
    return po


def test_a_step_through_the_worker_prints_and_exits_as_in_its_own_process(private_worker, tmp_path):
    env, _, _ = private_worker
    po = unfinished_catalogue(tmp_path)
    cases = [
        ("check-translations", "--catalogue", str(po)),  # refused: exit 1, the problems on stderr
        ("check-translations", "--catalogue", str(ROOT / registry.catalogue("ru"))),  # fine: exit 0, stdout
        ("check-translations",),  # a usage error: exit 2
        ("check-translations", "--catalogue", "missing.po"),  # an unexpected error: a traceback, exit 1
    ]
    for args in cases:
        warm = run(env, *args, cwd=tmp_path)
        alone = run({**env, "TNR_PIPELINE_WORKER": "off"}, *args, cwd=tmp_path)
        assert (warm.returncode, warm.stdout) == (alone.returncode, alone.stdout), args
        assert warm.stderr.splitlines()[-1:] == alone.stderr.splitlines()[-1:], args
    assert run(env, *cases[0], cwd=tmp_path).returncode == 1


def test_the_step_runs_in_the_commands_folder_with_its_environment(private_worker, tmp_path):
    env, _, _ = private_worker
    folder = tmp_path / "here"
    folder.mkdir()
    (folder / "messages.po").write_bytes((ROOT / registry.catalogue("ru")).read_bytes())
    result = run(env, "check-translations", "--catalogue", "messages.po", cwd=folder)  # a path relative to cwd
    assert result.returncode == 0 and "messages.po translates every message" in result.stdout


def test_the_worker_folder_is_private(private_worker):
    _, folder, _ = private_worker
    mode = stat.S_IMODE(folder.stat().st_mode)
    assert mode == 0o700 and folder.stat().st_uid == os.getuid()


def test_a_changed_installation_is_never_served(private_worker, tmp_path, monkeypatch):
    """A worker started before the package changed answers 'stale' and stops; the command runs the step itself."""
    env, _, process = private_worker
    monkeypatch.setenv("XDG_RUNTIME_DIR", env["XDG_RUNTIME_DIR"])
    assert worker.ask([sys.executable, "check-translations", "--catalogue", "x.po"]) is not None  # served
    monkeypatch.setattr(worker, "fingerprint", lambda: "a different installation")
    assert worker.ask([sys.executable, "check-translations", "--catalogue", "x.po"]) is None  # the step runs here
    assert process.wait(10) is not None  # and the out-of-date worker has stopped


def test_the_worker_can_be_turned_off_and_stays_off_when_imports_are_traced():
    assert worker.enabled({}) and worker.enabled({"TNR_PIPELINE_WORKER": "on"})
    for value in ("off", "0", "no", "false", "OFF"):
        assert not worker.enabled({"TNR_PIPELINE_WORKER": value})
    assert not worker.enabled({"PYTHONPROFILEIMPORTTIME": "1"})


def test_no_worker_means_the_step_runs_here(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    assert worker.ask(["tnr-pipeline", "check-translations"]) is None
    monkeypatch.setenv("TNR_PIPELINE_WORKER", "off")
    assert worker.ask(["tnr-pipeline", "check-translations"]) is None


def test_the_fingerprint_follows_the_package_files(tmp_path, monkeypatch):
    package = tmp_path / "tnr_pipeline"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(worker, "PACKAGE", package)
    before = worker.fingerprint()
    assert worker.fingerprint() == before
    (package / "a.py").write_text("x = 22\n")
    assert worker.fingerprint() != before
