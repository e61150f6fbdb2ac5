"""Benchmark the edit-rebuild loop and the scaling of tnr-pipeline, against the floor this machine sets.

Run from the project root, in the project's environment:

    python bench/run_benchmarks.py                 # 5 rounds, 1,000,000 synthetic cases
    python bench/run_benchmarks.py --repeat 5 --big 200000 --json bench/results/latest.json

Every scenario runs in a temporary copy of the project (the working tree is never touched). A round measures
every scenario once, in turn, and the run repeats rounds: times are medians over rounds, and each target's ratio
is taken within a round (so that a slow minute on a shared machine weighs on both sides) before its median is
compared with the limit. Floors: (a) a one-rule Snakefile's no-op run, (b) one Python process importing pandas,
pyarrow, pandera, matplotlib and jinja2, and, for context, (c) this workflow's DAG with every step reduced to its
imports. Peak memory is the largest resident set of any process of the run; CPU is user + system time of all.

Every step runs in its own process, as in an analyst's build, so the CPU and memory columns see all the work.
Progress goes to stderr, one line a scenario; the temporary folder is removed when the run ends, also on Ctrl-C or
SIGTERM. A whole run (5 rounds and the 1,000,000-case builds) takes about 10 minutes on 2 cores; `--repeat 1 --big 0`
about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
OUTPUTS = ("data/processed", "figures", "reports")

# A run measured in a fresh process, so that its peak memory is its own.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
                  "peak_bytes": usage.ru_maxrss * 1024, "returncode": done.returncode, "output": done.stdout}))
"""

# Spellings a real sheet mixes, so that normalisation works on many distinct values.
COUNTRIES = [
    ["Georgia", "GE", "GEO", "georgia", " Georgia "],
    ["Armenia", "AM", "ARM", "armenia"],
    ["Kazakhstan", "KZ", "KAZ", "kazakhstan"],
    ["Kyrgyzstan", "Kyrgyz Republic", "KG", "KGZ"],
    ["Poland", "PL", "POL"],
    ["Serbia", "RS", "SRB"],
    ["Germany", "DE", "DEU"],
    ["France", "FR", "FRA"],
    ["Spain", "ES", "ESP"],
    ["Italy", "IT", "ITA"],
    ["Romania", "RO", "ROU"],
    ["Cyprus", "CY", "CYP"],
    ["Bulgaria", "BG", "BGR"],
    ["Mongolia", "MN", "MNG"],
    ["Austria", "AT", "AUT"],
    ["Turkey", "Türkiye", "TR"],
    ["UK", "United Kingdom", "GB"],
    ["Czech Republic", "Czechia", "CZ"],
    ["Moldova", "MD"],
    ["USA", "United States", "US"],
]
TACTICS = [
    ["assassination", "Assassination"],
    ["assault", "Assault"],
    ["rendition", "Rendition"],
    ["detention", "Detention", "DETENTION"],
    ["unlawful_deportation", "Unlawful deportation"],
    ["extradition_request", "Extradition request"],
    ["digital_threat", "Digital threat"],
    ["coercion_by_proxy", "Coercion by proxy"],
    ["denial_of_entry", "Denial of Entry", "denial of entry"],
    ["denial_of_services", "Denial of Services"],
]
PROFILES = [
    "activist",
    "Activist",
    "journalist",
    "politician",
    "human_rights_defender",
    "Human rights defender",
    "lawyer",
    "deserter",
    "other",
    "unknown",
]
VERIFICATION = ["verified", "Verified", "single_source", "Single source", "unverified"]


def generate_cases(n: int, seed: int = 1) -> list[list[str]]:
    """N synthetic cases, valid under the input contract, with mixed spellings and a personal column."""
    rng = random.Random(seed)
    rows = [["case_id", "year", "date", "host_country", "tactic", "target_profile", "verification", "source", "notes"]]
    for i in range(n):
        year = rng.randint(2014, 2024)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.4 else ""
        rows.append(
            [
                f"SYN-{i:07d}",
                str(year),
                date,
                rng.choice(rng.choice(COUNTRIES)),
                rng.choice(rng.choice(TACTICS)),
                rng.choice(PROFILES),
                rng.choice(VERIFICATION),
                "media",
                "free text that must never leave data/raw",
            ]
        )
    return rows


def write_csv(rows: list[list[str]], path: Path) -> Path:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


def copy_project(destination: Path) -> Path:
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
        shutil.copy(ROOT / name, destination / name)
    (destination / "data").mkdir(parents=True, exist_ok=True)
    for name in ("claims.csv", "recording_reasons.csv"):
        shutil.copy(ROOT / "data" / name, destination / "data" / name)
    for folder in ("profiles", "src", "templates", "data/raw"):
        shutil.copytree(ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return destination


def clean(workdir: Path) -> None:
    for folder in (*OUTPUTS, ".snakemake", "logs"):
        shutil.rmtree(workdir / folder, ignore_errors=True)


def measure(workdir: Path, *command: str, env: dict = ENV) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(workdir), *command], env=env, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result['output'][-3000:]}")
    return result


def planned_jobs(workdir: Path, *config: str) -> list[str]:
    """The rules snakemake would run now (from a dry run)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-n",
            "--workflow-profile",
            "profiles/verbose",
            *config,
        ],  # the default lists none
        cwd=workdir,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    table = re.search(r"Job stats:\n(.*?)\n\n", done.stdout + "\n\n", re.S)
    if not table:
        return []
    rows = [line.split() for line in table.group(1).splitlines()[2:]]
    return sorted(row[0] for row in rows if row and row[0] not in ("total", "all"))


def snakemake(workdir: Path, *config: str, env: dict = ENV) -> dict:
    return measure(workdir, sys.executable, "-m", "snakemake", "--quiet", "all", *config, env=env)


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


# Floor (c): this workflow's DAG with every step reduced to its imports. Same rules, dependencies, profile and
# Snakefile workarounds; each step imports its stage module and the libraries it loads lazily, ends as
# `tnr-pipeline` does (without interpreter teardown), and the rule touches its output. No cold build of this design
# can beat it, whatever the steps do.
STEP_IMPORTS = {
    "validate_cases": ([], "tnr_pipeline.stages.validate_cases, tnr_pipeline.inputs.cases"),
    "validate_context": ([], "tnr_pipeline.stages.validate_context, tnr_pipeline.inputs.context"),
    "summarise_survey": ([], "tnr_pipeline.stages.summarise_survey, tnr_pipeline.inputs.survey, scipy.special"),
    "compute_statistics": (
        ["validate_cases"],
        "tnr_pipeline.stages.compute_statistics, tnr_pipeline.analysis.tables, tnr_pipeline.render.i18n, scipy.special",
    ),
    "check_claims": (
        ["compute_statistics", "summarise_survey"],
        "tnr_pipeline.stages.check_claims, tnr_pipeline.analysis.claims.sheet, tnr_pipeline.analysis.claims.verdicts",
    ),
    "draw_figures": (
        ["compute_statistics", "summarise_survey", "validate_context"],
        "tnr_pipeline.stages.draw_figures, tnr_pipeline.render.figures, pycountry, svgpath2mpl, pygal_maps_world, "
        "babel.numbers, babel.messages.pofile",
    ),
    "render_findings": (
        ["draw_figures", "check_claims"],
        "tnr_pipeline.stages.render_findings, tnr_pipeline.render.findings, pyarrow.parquet, jinja2, markdown_it, "
        "babel.numbers, babel.messages.pofile, pycountry",
    ),
    "describe_outputs": (
        ["validate_cases", "summarise_survey", "validate_context", "compute_statistics", "check_claims"],
        "tnr_pipeline.stages.describe_outputs, tnr_pipeline.inputs.descriptions, tnr_pipeline.render.notices, "
        "pyarrow.parquet",
    ),
}


def write_skeleton(destination: Path) -> Path:
    """The import-only copy of the workflow (floor c), with the real Snakefile's preamble and profile."""
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "profiles", destination / "profiles")
    real = (ROOT / "Snakefile").read_text(encoding="utf-8")
    preamble = real[: real.index("onstart:")]
    # every line that reads the config (the skeleton has none), imports aside
    preamble = re.sub(r"^(?!from |import ).*\bconfig\b.*\n", "", preamble, flags=re.M)
    waited_for = {name for after, _ in STEP_IMPORTS.values() for name in after}
    last = ", ".join(f'"steps/{step}"' for step in STEP_IMPORTS if step not in waited_for)
    rules = [f"onsuccess:\n    cancel_rate_limiter_timers()\n\n\nrule all:\n    input: {last}\n"]
    for step, (after, imports) in STEP_IMPORTS.items():
        inputs = ", ".join(f'"steps/{name}"' for name in after)
        rules.append(
            f"rule {step}:\n"
            + (f"    input: {inputs}\n" if inputs else "")
            + f'    output: "steps/{step}"\n    params: same="as the real rules have"\n'
            + f"    shell: \"python -c 'import tnr_pipeline.cli, {imports}; tnr_pipeline.cli.os._exit(0)'"
            + ' && touch {output}"\n'
        )
    (destination / "Snakefile").write_text(preamble + "\n\n".join(rules), encoding="utf-8")
    return destination


def progress(label: str, result: dict) -> dict:
    """Say on stderr what was just measured, so a long run shows where it is."""
    print(f"  {label:<40} {result['seconds']:7.2f} s", file=sys.stderr, flush=True)
    return result


def run_round(work: Path, skeleton: Path, floor: Path) -> dict[str, dict]:
    """One measurement of every scenario, in turn: a slow minute on the machine then weighs on all of them."""
    one_rule = (sys.executable, "-m", "snakemake", "--cores", "1", "--quiet")
    measured = {
        "floor_a": progress("floor a", measure(floor, *one_rule)),
        "floor_b": progress(
            "floor b",
            measure(floor, sys.executable, "-c", "import pandas, pyarrow, pandera.pandas, matplotlib.pyplot, jinja2"),
        ),
    }
    shutil.rmtree(skeleton / "steps", ignore_errors=True)
    shutil.rmtree(skeleton / ".snakemake", ignore_errors=True)
    measured["floor_c"] = progress("floor c", snakemake(skeleton))
    clean(work)
    measured["cold"] = progress("cold build", snakemake(work))
    measured["noop"] = progress("no-op", dict(snakemake(work), jobs=planned_jobs(work)))
    for key, path, text in (
        ("template", work / "templates" / "findings.md.j2", "{# edited by the benchmark #}\n"),
        ("style", work / "src" / "tnr_pipeline" / "render" / "figures.mplstyle", "# edited by the benchmark\n"),
    ):
        append(path, text)
        jobs = planned_jobs(work)
        measured[key] = progress(f"{key} edit", dict(snakemake(work), jobs=jobs))
    raw = work / "data" / "raw" / "cases.csv"
    lines = raw.read_text(encoding="utf-8").splitlines(keepends=True)
    flip = "single_source" if ",verified," in lines[5] else "verified"
    lines[5] = re.sub(r",(verified|single_source|unverified),", f",{flip},", lines[5])
    raw.write_text("".join(lines), encoding="utf-8")
    jobs = planned_jobs(work)
    measured["row"] = progress("one row edited", dict(snakemake(work), jobs=jobs))
    return measured


NAMES = {
    "floor_a": "floor (a): one-rule Snakefile, no-op",
    "floor_b": "floor (b): import pandas, pyarrow, pandera, matplotlib, jinja2",
    "floor_c": "floor (c): this DAG, each step only importing",
    "cold": "cold full build, shipped data",
    "noop": "no-op rebuild",
    "template": "rebuild after editing the template",
    "style": "rebuild after changing figure styling",
    "row": "rebuild after editing one row of the raw data",
}


def summarise(name: str, runs: list[dict]) -> dict:
    return {
        "scenario": name,
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "runs_seconds": [round(r["seconds"], 3) for r in runs],
        "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_bytes": max(r["peak_bytes"] for r in runs),
        "jobs": runs[-1].get("jobs"),
    }


def run_benchmarks(repetitions: int, big: int) -> tuple[dict, list[dict]]:
    rounds: list[dict[str, dict]] = []
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="tnr-bench-", ignore_cleanup_errors=True) as scratch:
        scratch = Path(scratch)
        floor = scratch / "floor"
        floor.mkdir()
        (floor / "Snakefile").write_text('rule all:\n    output: "done.txt"\n    shell: "touch {output}"\n')
        measure(floor, sys.executable, "-m", "snakemake", "--cores", "1", "--quiet")
        work = copy_project(scratch / "project")
        skeleton = write_skeleton(scratch / "skeleton")
        snakemake(work)  # warm the file cache once; not measured
        for number in range(1, repetitions + 1):
            print(f"round {number} of {repetitions}", file=sys.stderr, flush=True)
            rounds.append(run_round(work, skeleton, floor))
        for key, name in NAMES.items():
            results[key] = summarise(name, [r[key] for r in rounds])
        if big:
            big_csv = write_csv(generate_cases(big), work / "data" / "raw" / "synthetic_cases.csv")
            config = ("--config", f"raw_cases={big_csv.relative_to(work)}")
            pairs = []
            for number in range(1, max(1, min(repetitions, 2)) + 1):  # each big build beside a shipped cold build
                print(f"scaling, pair {number}: {big:,} synthetic cases", file=sys.stderr, flush=True)
                clean(work)
                shipped = progress("cold build, shipped data", snakemake(work))
                clean(work)
                pairs.append((shipped, progress(f"cold build, {big:,} cases", snakemake(work, *config))))
            results["big"] = summarise(f"cold full build, {big:,} synthetic cases", [b for _, b in pairs])
            results["big"]["ratio_to_shipped_cold"] = [round(b["seconds"] / s["seconds"], 3) for s, b in pairs]
    return results, rounds


def targets(results: dict, rounds: list[dict]) -> list[dict]:
    """Each ratio is taken within a round, then the median over rounds is compared with the limit."""

    def ratio(numerator, denominator) -> float:
        return statistics.median(numerator(r) / denominator(r) for r in rounds)

    seconds = lambda key: lambda r: r[key]["seconds"]  # noqa: E731
    floors = lambda r: r["floor_a"]["seconds"] + r["floor_b"]["seconds"]  # noqa: E731
    checks = [
        ("cold full build <= 2.5 x (floor a + floor b)", ratio(seconds("cold"), floors), 2.5),
        ("no-op rebuild <= 1.3 x floor a", ratio(seconds("noop"), seconds("floor_a")), 1.3),
        ("template edit <= 1.4 x floor a", ratio(seconds("template"), seconds("floor_a")), 1.4),
    ]
    rows = [
        {"target": name, "ratio": round(value, 2), "limit": limit, "met": value <= limit}
        for name, value, limit in checks
    ]
    template_jobs = results["template"]["jobs"]
    rows.append(
        {
            "target": "template edit reruns only the document step",
            "ratio": None,
            "limit": None,
            "met": "render_findings" in template_jobs and set(template_jobs) <= {"render_findings"},
            "detail": template_jobs,
        }
    )
    if "big" in results:
        big = results["big"]
        big_ratio = statistics.median(big["ratio_to_shipped_cold"])
        rows.append(
            {
                "target": "big cold build <= 3 x shipped cold build",
                "ratio": round(big_ratio, 2),
                "limit": 3.0,
                "met": big_ratio <= 3.0,
            }
        )
        rows.append(
            {
                "target": "big cold build peak memory <= 2 GiB",
                "ratio": round(big["peak_bytes"] / 2**30, 2),
                "limit": 2.0,
                "met": big["peak_bytes"] <= 2 * 2**30,
            }
        )
    rows.append(
        {
            "target": "(context) floor c / (floor a + floor b): each step in its own process, only importing",
            "ratio": round(ratio(seconds("floor_c"), floors), 2),
            "limit": None,
            "met": None,
        }
    )
    return rows


def machine() -> dict:
    import multiprocessing

    memory = ""
    if Path("/proc/meminfo").exists():
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        names = [
            line.split(":")[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else ""
    return {
        "cores": multiprocessing.cpu_count(),
        "memory": memory,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_table(results: dict, checks: list[dict]) -> None:
    floor = results["floor_a"]["median_seconds"]
    print(f"{'scenario':<58} {'median s':>9} {'x floor a':>10} {'cpu s':>6} {'peak MiB':>9}  jobs")
    for row in results.values():
        jobs = ", ".join(row["jobs"]) if row["jobs"] else ("-" if row["jobs"] is not None else "")
        print(
            f"{row['scenario']:<58} {row['median_seconds']:>9.2f} {row['median_seconds'] / floor:>10.2f} "
            f"{row['median_cpu_seconds']:>6.2f} {row['peak_bytes'] / 2**20:>9.0f}  {jobs}"
        )
    print()
    for check in checks:
        verdict = {True: "MET   ", False: "MISSED", None: "      "}[check["met"]]
        limit = f" (limit {check['limit']})" if check["limit"] is not None else ""
        ratio = "" if check["ratio"] is None else f"{check['ratio']:.2f}{limit}"
        print(f"{verdict} {check['target']:<52} {ratio} {check.get('detail', '')}")


def _interrupted(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds: repetitions of each scenario (medians)")
    parser.add_argument("--big", type=int, default=1_000_000, help="synthetic cases for the scaling run (0: skip)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"), help="JSON to write")
    parser.add_argument("--generate", type=int, metavar="N", help="only write N synthetic cases as CSV to stdout")
    args = parser.parse_args()
    if args.generate:
        import csv

        csv.writer(sys.stdout, lineterminator="\n").writerows(generate_cases(args.generate))
        return 0
    started = time.time()
    signal.signal(signal.SIGTERM, _interrupted)  # the temporary folder is removed as on Ctrl-C
    try:
        results, rounds = run_benchmarks(args.repeat, args.big)
    except KeyboardInterrupt:
        print("interrupted: the temporary copy of the project is removed, nothing is written", file=sys.stderr)
        return 130
    checks = targets(results, rounds)
    print_table(results, checks)
    report = {
        "machine": machine(),
        "repetitions": args.repeat,
        "results": results,
        "targets": checks,
        "rounds": [{key: {k: v for k, v in run.items() if k != "output"} for key, run in r.items()} for r in rounds],
        "wall_seconds": round(time.time() - started, 1),
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0 if all(check["met"] is not False for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
