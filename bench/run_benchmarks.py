"""Benchmark the edit-rebuild loop and the scaling of tnr-pipeline, against the floor this machine sets.

Run from the project root, in the project's environment:

    python bench/run_benchmarks.py                 # 3 repetitions, 1,000,000 synthetic cases
    python bench/run_benchmarks.py --repeat 5 --big 200000 --json bench/results/latest.json

Every scenario runs in a temporary copy of the project (the working tree is never touched) and is repeated;
the table shows medians. Floors: (a) a one-rule Snakefile's no-op run, (b) one Python process importing pandas,
pyarrow, pandera, matplotlib and jinja2. Peak memory is the largest resident set of any process of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
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
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "returncode": done.returncode, "output": done.stdout}))
"""

# Spellings a real sheet mixes, so that normalisation works on many distinct values.
COUNTRIES = [["Georgia", "GE", "GEO", "georgia", " Georgia "], ["Armenia", "AM", "ARM", "armenia"],
             ["Kazakhstan", "KZ", "KAZ", "kazakhstan"], ["Kyrgyzstan", "Kyrgyz Republic", "KG", "KGZ"],
             ["Poland", "PL", "POL"], ["Serbia", "RS", "SRB"], ["Germany", "DE", "DEU"], ["France", "FR", "FRA"],
             ["Spain", "ES", "ESP"], ["Italy", "IT", "ITA"], ["Romania", "RO", "ROU"], ["Cyprus", "CY", "CYP"],
             ["Bulgaria", "BG", "BGR"], ["Mongolia", "MN", "MNG"], ["Austria", "AT", "AUT"],
             ["Turkey", "Türkiye", "TR"], ["UK", "United Kingdom", "GB"], ["Czech Republic", "Czechia", "CZ"],
             ["Moldova", "MD"], ["USA", "United States", "US"]]
TACTICS = [["assassination", "Assassination"], ["assault", "Assault"], ["rendition", "Rendition"],
           ["detention", "Detention", "DETENTION"], ["unlawful_deportation", "Unlawful deportation"],
           ["extradition_request", "Extradition request"], ["digital_threat", "Digital threat"],
           ["coercion_by_proxy", "Coercion by proxy"], ["denial_of_entry", "Denial of Entry", "denial of entry"],
           ["denial_of_services", "Denial of Services"]]
PROFILES = ["activist", "Activist", "journalist", "politician", "human_rights_defender", "Human rights defender",
            "lawyer", "deserter", "other", "unknown"]
VERIFICATION = ["verified", "Verified", "single_source", "Single source", "unverified"]


def generate_cases(n: int, seed: int = 1) -> list[list[str]]:
    """N synthetic cases, valid under the input contract, with mixed spellings and a personal column."""
    rng = random.Random(seed)
    rows = [["case_id", "year", "date", "host_country", "tactic", "target_profile", "verification", "source",
             "notes"]]
    for i in range(n):
        year = rng.randint(2014, 2024)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.4 else ""
        rows.append([f"SYN-{i:07d}", str(year), date, rng.choice(rng.choice(COUNTRIES)),
                     rng.choice(rng.choice(TACTICS)), rng.choice(PROFILES), rng.choice(VERIFICATION), "media",
                     "free text that must never leave data/raw"])
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
    for folder in ("profiles", "src", "templates", "data/raw"):
        shutil.copytree(ROOT / folder, destination / folder,
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return destination


def clean(workdir: Path) -> None:
    for folder in (*OUTPUTS, ".snakemake", "logs"):
        shutil.rmtree(workdir / folder, ignore_errors=True)


def measure(workdir: Path, *command: str) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(workdir), *command], env=ENV, capture_output=True,
                          text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["returncode"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result['output'][-3000:]}")
    return result


def planned_jobs(workdir: Path, *config: str) -> list[str]:
    """The rules snakemake would run now (from a dry run)."""
    done = subprocess.run([sys.executable, "-m", "snakemake", "-n", *config], cwd=workdir, env=ENV,
                          capture_output=True, text=True, check=True)
    table = re.search(r"Job stats:\n(.*?)\n\n", done.stdout + "\n\n", re.S)
    if not table:
        return []
    rows = [line.split() for line in table.group(1).splitlines()[2:]]
    return sorted(row[0] for row in rows if row and row[0] not in ("total", "all"))


def snakemake(workdir: Path, *config: str) -> dict:
    return measure(workdir, sys.executable, "-m", "snakemake", "--quiet", "all", *config)


def repeat(times: int, prepare, run) -> list[dict]:
    results = []
    for _ in range(times):
        prepare()
        results.append(run())
    return results


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def summarise(name: str, runs: list[dict], jobs: list[str] | None = None) -> dict:
    return {"scenario": name, "median_seconds": statistics.median(r["seconds"] for r in runs),
            "runs_seconds": [round(r["seconds"], 3) for r in runs],
            "peak_bytes": max(r["peak_bytes"] for r in runs), "jobs": jobs}


def run_benchmarks(repetitions: int, big: int) -> dict:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="tnr-bench-") as scratch:
        scratch = Path(scratch)

        floor = scratch / "floor"
        floor.mkdir()
        (floor / "Snakefile").write_text('rule all:\n    output: "done.txt"\n    shell: "touch {output}"\n')
        measure(floor, sys.executable, "-m", "snakemake", "--cores", "1", "--quiet")
        results["floor_a"] = summarise("floor (a): one-rule Snakefile, no-op", repeat(
            repetitions, lambda: None,
            lambda: measure(floor, sys.executable, "-m", "snakemake", "--cores", "1", "--quiet")))
        results["floor_b"] = summarise("floor (b): import pandas, pyarrow, pandera, matplotlib, jinja2", repeat(
            repetitions, lambda: None, lambda: measure(floor, sys.executable, "-c", "import pandas, pyarrow, "
                                                       "pandera.pandas, matplotlib.pyplot, jinja2")))

        work = copy_project(scratch / "project")
        results["cold"] = summarise("cold full build, shipped data", repeat(
            repetitions, lambda: clean(work), lambda: snakemake(work)))
        results["noop"] = summarise("no-op rebuild", repeat(repetitions, lambda: None, lambda: snakemake(work)),
                                    planned_jobs(work))

        jobs: list[str] = []

        def edit(path: Path, text: str):
            """An edit that appends `text` to `path`, and records the jobs snakemake then plans."""
            def apply():
                append(path, text)
                jobs[:] = planned_jobs(work)
            return apply

        for key, name, path, text in (
                ("template", "rebuild after editing the template", work / "templates" / "findings.md.j2",
                 "{# edited by the benchmark #}\n"),
                ("style", "rebuild after changing figure styling", work / "src" / "tnr_pipeline" / "figures.mplstyle",
                 "# edited by the benchmark\n")):
            results[key] = summarise(name, repeat(repetitions, edit(path, text), lambda: snakemake(work)))
            results[key]["jobs"] = list(jobs)

        raw = work / "data" / "raw" / "cases.csv"
        original = raw.read_text(encoding="utf-8")

        def edit_row():
            lines = original.splitlines(keepends=True)
            flip = "single_source" if "verified," in lines[5] else "verified"
            lines[5] = re.sub(r",(verified|single_source|unverified),", f",{flip},", lines[5])
            raw.write_text(original if raw.read_text(encoding="utf-8") != original else "".join(lines),
                           encoding="utf-8")
            jobs[:] = planned_jobs(work)

        results["row"] = summarise("rebuild after editing one row of the raw data", repeat(
            repetitions, edit_row, lambda: snakemake(work)))
        results["row"]["jobs"] = list(jobs)

        if big:
            big_csv = write_csv(generate_cases(big), work / "data" / "raw" / "synthetic_cases.csv")
            config = ("--config", f"raw_cases={big_csv.relative_to(work)}")
            results["big"] = summarise(f"cold full build, {big:,} synthetic cases", repeat(
                max(1, min(repetitions, 2)), lambda: clean(work), lambda: snakemake(work, *config)))
    return results


def targets(results: dict) -> list[dict]:
    floor_a, floor_b = results["floor_a"]["median_seconds"], results["floor_b"]["median_seconds"]
    cold = results["cold"]["median_seconds"]
    checks = [
        ("cold full build <= 2.0 x (floor a + floor b)", cold / (floor_a + floor_b), 2.0),
        ("no-op rebuild <= 1.3 x floor a", results["noop"]["median_seconds"] / floor_a, 1.3),
        ("template edit <= 1.6 x floor a", results["template"]["median_seconds"] / floor_a, 1.6),
    ]
    rows = [{"target": name, "ratio": round(ratio, 2), "limit": limit, "met": ratio <= limit}
            for name, ratio, limit in checks]
    template_jobs = results["template"]["jobs"]
    rows.append({"target": "template edit reruns only the document step", "ratio": None, "limit": None,
                 "met": template_jobs == ["render_findings"], "detail": template_jobs})
    if "big" in results:
        big = results["big"]
        rows.append({"target": "big cold build <= 3 x shipped cold build", "ratio": round(
            big["median_seconds"] / cold, 2), "limit": 3.0, "met": big["median_seconds"] / cold <= 3.0})
        rows.append({"target": "big cold build peak memory <= 2 GiB", "ratio": round(big["peak_bytes"] / 2**30, 2),
                     "limit": 2.0, "met": big["peak_bytes"] <= 2 * 2**30})
    return rows


def machine() -> dict:
    import multiprocessing

    memory = ""
    if Path("/proc/meminfo").exists():
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    cpu = ""
    if Path("/proc/cpuinfo").exists():
        names = [line.split(":")[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else ""
    return {"cores": multiprocessing.cpu_count(), "memory": memory, "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform()}


def print_table(results: dict, checks: list[dict]) -> None:
    floor = results["floor_a"]["median_seconds"]
    print(f"{'scenario':<58} {'median s':>9} {'x floor a':>10} {'peak MiB':>9}  jobs")
    for row in results.values():
        jobs = ", ".join(row["jobs"]) if row["jobs"] else ("-" if row["jobs"] is not None else "")
        print(f"{row['scenario']:<58} {row['median_seconds']:>9.2f} {row['median_seconds'] / floor:>10.2f} "
              f"{row['peak_bytes'] / 2**20:>9.0f}  {jobs}")
    print()
    for check in checks:
        ratio = "" if check["ratio"] is None else f"{check['ratio']:.2f} (limit {check['limit']})"
        print(f"{'MET ' if check['met'] else 'MISSED'} {check['target']:<52} {ratio} {check.get('detail', '')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each scenario (median reported)")
    parser.add_argument("--big", type=int, default=1_000_000, help="synthetic cases for the scaling run (0: skip)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results" / "latest.json"), help="JSON to write")
    parser.add_argument("--generate", type=int, metavar="N", help="only write N synthetic cases as CSV to stdout")
    args = parser.parse_args()
    if args.generate:
        import csv

        csv.writer(sys.stdout, lineterminator="\n").writerows(generate_cases(args.generate))
        return 0
    started = time.time()
    results = run_benchmarks(args.repeat, args.big)
    checks = targets(results)
    print_table(results, checks)
    report = {"machine": machine(), "repetitions": args.repeat, "results": results, "targets": checks,
              "wall_seconds": round(time.time() - started, 1)}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0 if all(check["met"] for check in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
