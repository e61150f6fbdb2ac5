"""The warm worker: a background process that has imported what the steps use, and forks a fresh child per step.

Why: every step is its own `tnr-pipeline` process, and each paid about 0.7 s of imports (pandas, pyarrow, pandera,
matplotlib, jinja2) before doing its work; a build runs eight steps, four of them in a row. With the worker, a step
costs a fork and its work.

How it works (what belongs here):
- `tnr-pipeline STEP ...` (cli.run_and_exit) first asks the worker of this installation. If one answers, it sends
  its arguments, working folder and environment, and its stdin, stdout and stderr as file descriptors, then waits
  for the exit status. The worker forks a child that runs the step exactly as the command line does, writing to
  those descriptors (so Snakemake's logs and exit statuses are unchanged), and the child dies with the command if
  the command is killed. The worker itself never runs a step: each child starts from the same freshly imported
  state.
- If no worker answers, the step runs in its own process, as without a worker, and a worker is started in the
  background for the steps that follow. Several steps starting at once start one worker: the others find its lock
  held and stop.
- A worker serves only its own user (the socket is in a folder only that user can open) and its own installation
  (the package folder and the Python that runs it). When a file of the package or of the installed libraries has
  changed since it started, it says so and exits, and the step runs in its own process.
- It exits after `TNR_PIPELINE_WORKER_IDLE` seconds without a request (default 120). `TNR_PIPELINE_WORKER=off`
  turns it off; so does tracing imports (`PYTHONPROFILEIMPORTTIME`), which measures a step's own process.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
IDLE_SECONDS = 120
# What the steps import, loaded once by the worker (a library that is not installed is skipped).
PRELOAD = (
    "tnr_pipeline.cli",
    "tnr_pipeline.ingest",
    "tnr_pipeline.survey",
    "tnr_pipeline.context",
    "tnr_pipeline.summarise",
    "tnr_pipeline.claims",
    "tnr_pipeline.figures",
    "tnr_pipeline.report",
    "tnr_pipeline.descriptions",
    "pandas",
    "pyarrow.parquet",
    "pandera.pandas",
    "scipy.stats",
    "scipy.special",
    "matplotlib.pyplot",
    "jinja2",
    "jinja2.ext",
    "multiprocessing.pool",
    "markdown_it",
    "babel.numbers",
    "babel.dates",
    "babel.messages.pofile",
    "babel.messages.mofile",
    "pycountry",
    "svgpath2mpl",
    "pygal_maps_world",
    "openpyxl",
    "yaml",
)


def enabled(environ: dict | None = None) -> bool:
    environ = os.environ if environ is None else environ
    return environ.get("TNR_PIPELINE_WORKER", "on").lower() not in ("off", "0", "no", "false") and not environ.get(
        "PYTHONPROFILEIMPORTTIME"
    )


def _folder() -> Path:
    """The user's own folder for workers' sockets and locks, created readable by that user only: in the user's
    runtime folder (XDG_RUNTIME_DIR) where there is one, else in /tmp, whatever TMPDIR a command sets for its steps
    (so that every command of one installation finds the same worker)."""
    folder = Path(os.environ.get("XDG_RUNTIME_DIR") or "/tmp") / f"tnr-pipeline-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.stat()
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise PermissionError(f"{folder} is not this user's private folder")
    return folder


def _address() -> Path:
    """This installation's socket: one worker per package folder and Python."""
    key = hashlib.sha256(f"{PACKAGE}\0{sys.executable}\0{os.environ.get('PYTHONPATH', '')}".encode()).hexdigest()[:16]
    return _folder() / f"{key}.sock"


def fingerprint() -> str:
    """What the worker's imports came from: every file of the package and the folders of the installed libraries,
    by modification time and size. A worker whose fingerprint differs from the command's serves nothing."""
    import sysconfig

    entries = []
    for path in sorted(PACKAGE.rglob("*.py")) + [Path(sysconfig.get_paths()["purelib"])]:
        status = path.stat()
        entries.append(f"{path}:{status.st_mtime_ns}:{status.st_size}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    data, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
    return json.loads(data.decode()), fds


def ask(argv: list[str]) -> int | None:
    """Run a step in the worker: its exit status, or None when no worker of this installation answered (the step
    has not run and must run here)."""
    if not enabled():
        return None
    try:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(str(_address()))
    except OSError:
        return None
    with connection:
        request = {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "fingerprint": fingerprint()}
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
            reply = b""
            while chunk := connection.recv(64):
                reply += chunk
        except OSError:
            return None
    answer = reply.decode()
    if answer.startswith("status "):
        return int(answer.split()[1])
    return None  # "stale" (changed code) or no answer (a worker that stopped): the step runs here


def start() -> None:
    """Start a worker in the background for the steps that follow (it stops at once if one is running)."""
    import subprocess

    if not enabled():
        return
    try:
        subprocess.Popen(
            [sys.executable, "-m", "tnr_pipeline.worker"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError:
        pass


def _serve_one(connection: socket.socket, started: str) -> None:
    """In a forked child: run one step for the command on the other end of `connection`."""
    import signal
    import threading
    import traceback

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the step's own subprocesses must report their exit status
    request, fds = _receive(connection)
    if request["fingerprint"] != started:
        connection.sendall(b"stale")
        os.kill(os.getppid(), 15)  # the worker is out of date: stop it, the next command starts a fresh one
        os._exit(0)
    for target, fd in zip((0, 1, 2), fds):
        os.dup2(fd, target)
        os.close(fd)

    def die_with_the_command() -> None:
        connection.recv(1)  # returns when the command ends or is killed
        os._exit(1)

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    threading.Thread(target=die_with_the_command, daemon=True).start()
    from tnr_pipeline import cli

    try:
        code = cli.main(request["argv"][1:])
    except SystemExit as leaving:  # argparse: a usage error
        code = leaving.code if isinstance(leaving.code, int) else 2
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    connection.sendall(f"status {code}".encode())
    os._exit(0)


def serve() -> None:
    """The worker: hold the lock (or stop: another worker serves), import what the steps use, then fork a child per
    request until idle."""
    import fcntl
    import gc
    import importlib
    import signal

    address = _address()
    lock = open(address.with_suffix(".lock"), "w")  # noqa: SIM115 (held for the worker's lifetime)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return
    started = fingerprint()
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    # The libraries' objects live as long as the worker: moved out of the garbage collector's sight, a child's full
    # collections walk only what its step made (0.1-0.2 s a step otherwise, from the half million objects imported).
    gc.collect()
    gc.freeze()
    idle = float(os.environ.get("TNR_PIPELINE_WORKER_IDLE", IDLE_SECONDS))
    address.unlink(missing_ok=True)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(str(address))
    except OSError:  # e.g. a path too long for a socket: no worker, every step runs in its own process
        return
    listener.listen(16)
    listener.settimeout(idle)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
    try:
        while True:
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                break
            if os.fork() == 0:
                listener.close()
                lock.close()  # the lock is the worker's, not its children's
                _serve_one(connection, started)
            connection.close()
    finally:
        address.unlink(missing_ok=True)


if __name__ == "__main__":
    serve()
