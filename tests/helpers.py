"""What the tests share, imported as `helpers` (tests/ is on sys.path: pyproject's pythonpath): the frozen shipped
inputs and the project's folders, small settings and case sheets built inline, writers of sheets, a temporary copy of
the project and snakemake run in it, and the builders of small tables several test files use. No fixture here: the
fixtures are in conftest.py, built from these."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import yaml
from scipy import stats as scipy_stats

from tnr_pipeline.model import registry
from tnr_pipeline.model.reference import Reference
from tnr_pipeline.model.settings import Period, config_problems
from tnr_pipeline.stages import validate_cases

ROOT = Path(__file__).resolve().parents[1]
# The inputs the tests pin numbers on: a frozen, byte-identical copy of data/raw and data/claims.csv as shipped
# (tests/data/README.md). data/raw may change freely; the tests of the real inputs (test_real_data.py) check only
# properties of them.
SHIPPED = ROOT / "tests" / "data" / "shipped"
RAW = ROOT / "data" / "raw"


def examples(n: int) -> int:
    """How many examples a property test generates: n, or a tenth of it (at least 10) when mutmut runs the test
    against a mutant (`make mutation`), so that a mutation run fits in minutes."""
    return max(10, n // 10) if "MUTANT_UNDER_TEST" in os.environ else n


PERIODS_JSON = json.dumps(
    {
        "pre_war": {"label": "Pre-war", "first_year": 2014, "last_year": 2021},
        "post_invasion": {"label": "Post-invasion", "first_year": 2022, "last_year": 2024},
    }
)
SCOPES_JSON = json.dumps(
    {
        "all": {"label": "All cases"},
        "excluding_denial_of_entry": {"label": "Excluding DoE", "exclude_tactics": ["denial_of_entry"]},
        "freedom_house_physical": {"label": "FH physical", "fh_counted_only": True},
        "like_for_like": {"label": "Like for like", "exclude_tactics": ["denial_of_entry", "denial_of_services"]},
    }
)
ANALYSIS = {
    "periods": json.loads(PERIODS_JSON),
    "baseline": "pre_war",
    "comparison": "post_invasion",
    "scopes": json.loads(SCOPES_JSON),
    "confidence_level": 0.95,
    "baseline_starts": [2016, 2018],
    "scope_roles": {
        "headline": "all",
        "without_denial_of_entry": "excluding_denial_of_entry",
        "freedom_house": "freedom_house_physical",
        "like_for_like": "like_for_like",
    },
    "documentation_growth": [1.5, 2, 3],
    "bootstrap_seed": 2025,
    "bootstrap_resamples": 2000,
}
ANALYSIS_JSON = json.dumps(ANALYSIS)
MARKER = "PERSONAL-MARKER-7f3a"

# A small valid sheet: 12 cases in 6 countries, with labels, odd spellings, and a personal column.
SMALL_SHEET = pd.DataFrame(
    [
        ["K-01", "2015", "2015-03-01", "Kazakhstan", "Detention", "Activist", "verified", f"{MARKER} Ivanov"],
        ["K-02", "2019", "", "kz", "extradition request", "journalist", "Single source", f"{MARKER} notes"],
        ["K-03", "2021", "", "KAZ", "detention", "lawyer", "unverified", ""],
        ["G-01", "2022", "2022-04-10", "Georgia", "Denial of Entry", "Activist", "verified", f"{MARKER}"],
        ["G-02", "2022", "", " georgia ", "denial_of_entry", "Human rights defender", "verified", ""],
        ["G-03", "2023", "", "GEO", "DENIAL OF ENTRY", "politician", "single_source", ""],
        ["A-01", "2022", "", "Armenia", "detention", "deserter", "verified", ""],
        ["A-02", "2024", "2024-12-31", "ARM", "Detention", "other", "verified", ""],
        ["P-01", "2024", "", "Poland", "Unlawful deportation", "unknown", "verified", ""],
        ["E-01", "2024", "", "Spain", "assassination", "politician", "verified", ""],
        ["T-01", "2023", "", "Turkey", "coercion by proxy", "journalist", "unverified", ""],
        ["U-01", "2018", "", "UK", "Assault", "activist", "verified", ""],
    ],
    columns=["case_id", "year", "date", "host_country", "tactic", "target_profile", "verification", "full_name"],
)


def write_csv(frame: pd.DataFrame, path: Path, sep: str = ",", bom: bool = False) -> Path:
    frame.to_csv(path, sep=sep, index=False, encoding="utf-8-sig" if bom else "utf-8")
    return path


def write_xlsx(frame: pd.DataFrame, path: Path) -> Path:
    """Write a sheet as a person's spreadsheet would hold it: numbers as numbers, dates as dates."""
    typed = frame.copy()
    typed["year"] = [int(v) if str(v).isdigit() else v for v in typed["year"]]
    if "date" in typed:
        typed["date"] = [pd.Timestamp(v) if v else None for v in typed["date"]]
    typed.to_excel(path, index=False, sheet_name="cases")
    return path


def pipeline_env() -> dict[str, str]:
    """The environment for running snakemake and tnr-pipeline from the test's interpreter."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def copy_project(
    destination: Path,
    inputs: Path = SHIPPED,
    claims: Path = SHIPPED / "claims.csv",
    recording_reasons: Path = SHIPPED / "recording_reasons.csv",
) -> Path:
    """A copy of the workflow (Snakefile, config, profile, package sources) without any outputs, with the inputs
    other than the cases (survey, context figures, their data package) from `inputs` in its data/raw, the claims
    ledger `claims` as its data/claims.csv and the report's recording reasons: by default the frozen copy of the
    shipped inputs (SHIPPED)."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "config.yaml", "config.schema.yaml"):
        shutil.copy(ROOT / name, destination / name)
    (destination / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(claims, destination / "data" / "claims.csv")
    shutil.copy(recording_reasons, destination / "data" / "recording_reasons.csv")
    for folder in ("profiles", "src", "templates"):
        if (ROOT / folder).exists():
            shutil.copytree(
                ROOT / folder, destination / folder, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
            )
    (destination / "data" / "raw").mkdir(parents=True)
    for name in ("survey.csv", "context_figures.csv", "datapackage.json"):
        shutil.copy(inputs / name, destination / "data" / "raw" / name)
    return destination


def run_snakemake_process(workdir: Path, *args: str, env: dict | None = None, timeout: int = 600):
    """`python -m snakemake ARGS` in `workdir`, in a new interpreter: for a test about Snakemake's own process (its
    import trace, say). Every other test runs Snakemake forked (run_snakemake)."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", *args],
        cwd=workdir,
        env=pipeline_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


_snakemake_cli = None


def _loaded_snakemake_cli():
    """Snakemake's command line, imported once per test process with what its every run loads before it reads a
    Snakefile (its plugin registries and argument parser, the remote-file and report modules) and what the Snakefile's
    config check loads (jsonschema): about 1 s of each `python -m snakemake`, paid here once instead of in each of the
    suite's ~100 runs."""
    global _snakemake_cli
    if _snakemake_cli is None:
        import importlib

        import snakemake.cli

        preloaded = ("snakemake.api", "snakemake.dag", "snakemake.workflow", "snakemake.report", "smart_open", "yte")
        for name in (*preloaded, "jsonschema"):
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        snakemake.cli.get_argument_parser()  # collects the plugins
        _snakemake_cli = snakemake.cli
    return _snakemake_cli


def run_snakemake(
    workdir: Path, *args: str, timeout: int = 600, umask: int | None = None, one_stream: bool = False
) -> subprocess.CompletedProcess:
    """`snakemake ARGS` in `workdir`, as a terminal runs it, with the environment of pipeline_env(): Snakemake's own
    command line (`snakemake.cli.main`) in a child forked from this process, which has imported Snakemake once.
    The child is a fresh Snakemake run: its own folder, environment, umask and output streams, and every step a new
    process as in a build. `one_stream` sends stderr into stdout, in the order a terminal shows them. A run longer
    than `timeout` is killed with its steps."""
    cli = _loaded_snakemake_cli()
    environment = pipeline_env()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                os.setpgid(0, 0)  # its own process group, so that a timeout ends its steps too
                os.chdir(workdir)
                os.environ.clear()
                os.environ.update(environment)
                if umask is not None:
                    os.umask(umask)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(out.fileno(), 1)
                os.dup2((out if one_stream else err).fileno(), 2)
                sys.stdout, sys.stderr = (
                    io.TextIOWrapper(io.FileIO(fd, "w", closefd=False), "utf-8", write_through=True) for fd in (1, 2)
                )
                cli.main(list(args))
                code = 0
            except SystemExit as exit:
                code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
            except BaseException:  # a bug in the runner or in Snakemake: its traceback on the run's stderr
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        deadline = time.monotonic() + timeout
        done, status = os.waitpid(pid, os.WNOHANG)
        while not done:
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise subprocess.TimeoutExpired(["snakemake", *args], timeout)
            time.sleep(0.01)
            done, status = os.waitpid(pid, os.WNOHANG)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            ["snakemake", *args],
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8", errors="replace"),
            err.read().decode("utf-8", errors="replace"),
        )


# Every table the pipeline writes, as Snakemake targets: a build of these draws no figure and writes no document (as
# `tnr-pipeline diff` builds a revision).
TABLE_TARGETS = tuple(registry.table_path(name) for name in registry.all_tables())


def copy_build(built: Path, destination: Path) -> Path:
    """A copy of a built project (the shared build, say) with its outputs, their times and Snakemake's records: a run
    there rebuilds only what the test changes, as in an analyst's working copy."""
    shutil.copytree(built, destination, symlinks=True)
    return destination


IMPORT_TRACE = "import time:"  # how each line of Python's import trace (PYTHONPROFILEIMPORTTIME) begins
SNAKEMAKE_IMPORTS = "logs/snakemake_imports.txt"  # in the shared build: Snakemake's own import trace


def build_shipped(workdir: Path) -> str:
    """A full build on the frozen copy of the shipped data in a new copy of the project at `workdir`, in a new
    interpreter with Python's import trace on (PYTHONPROFILEIMPORTTIME): each step's log then holds what the step
    imported, and SNAKEMAKE_IMPORTS what Snakemake's own process did (integration/test_reruns.py). Returns the
    console without the trace: what a person sees."""
    copy_project(workdir)
    shutil.copy(SHIPPED / "cases.csv", workdir / "data" / "raw" / "cases.csv")
    result = run_snakemake_process(workdir, env={**pipeline_env(), "PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    trace = [line for line in result.stderr.splitlines(keepends=True) if line.startswith(IMPORT_TRACE)]
    (workdir / SNAKEMAKE_IMPORTS).write_text("".join(trace), encoding="utf-8")
    console = [line for line in result.stderr.splitlines(keepends=True) if not line.startswith(IMPORT_TRACE)]
    return result.stdout + "".join(console)


def small_sheet_of(workdir: Path) -> Path:
    """Where build_small writes the small sheet: outside the project at `workdir`, named as a person might."""
    return workdir.parent / f"{workdir.name}-sheet" / "my_cases.csv"


def small_settings(workdir: Path) -> list[str]:
    """The settings of build_small (`--config` items): give them again to build in a copy of it."""
    return [f"raw_cases={small_sheet_of(workdir)}", "languages=[en]"]


def build_small(workdir: Path) -> str:
    """A full build from clean of the small sheet (SMALL_SHEET) in English only (the README's
    `snakemake --config languages=[en]`), the sheet written as a CSV outside the project (small_sheet_of) and named
    by its absolute path, in a new copy of the project at `workdir`: its console."""
    copy_project(workdir)
    sheet = small_sheet_of(workdir)
    sheet.parent.mkdir(parents=True, exist_ok=True)
    write_csv(SMALL_SHEET, sheet)
    result = run_snakemake(workdir, "--config", *small_settings(workdir))
    assert result.returncode == 0, result.stdout + result.stderr[-5000:]
    return result.stdout + result.stderr


class RealBuild(NamedTuple):
    workdir: Path
    console: str
    inputs: Path
    settings: list[str]


def real_inputs_of(workdir: Path) -> Path:
    """Where build_real copies the real inputs: a folder outside the project at `workdir`."""
    return workdir.parent / f"{workdir.name}-someone-private-folder"


def real_settings(inputs: Path, cases: Path | None = None) -> list[str]:
    """build_real's settings (`--config` items): the inputs in `inputs` by their absolute paths, none described;
    `cases` names another case sheet."""
    return [
        f"raw_cases={cases or inputs / 'cases.csv'}",
        f"raw_survey={inputs / 'survey.csv'}",
        f"raw_context={inputs / 'context_figures.csv'}",
        f"claims={inputs / 'claims.csv'}",
        f"recording_reasons={inputs / 'recording_reasons.csv'}",
        "input_descriptions=null",
    ]


def build_real(workdir: Path) -> str:
    """A full build from clean, under umask 077, of the real inputs as committed (data/raw, data/claims.csv and
    data/recording_reasons.csv, not the frozen copy), copied to a folder outside the project (real_inputs_of) and
    named by their absolute paths, none described, in a new copy of the project at `workdir`: its console, stderr in
    stdout as a terminal shows them."""
    copy_project(workdir)
    inputs = real_inputs_of(workdir)
    inputs.mkdir(parents=True, exist_ok=True)
    for name in ("cases.csv", "survey.csv", "context_figures.csv"):
        shutil.copy(RAW / name, inputs / name)
    for name in ("claims.csv", "recording_reasons.csv"):
        shutil.copy(ROOT / "data" / name, inputs / name)
    result = run_snakemake(workdir, "--config", *real_settings(inputs), umask=0o077, one_stream=True)
    assert result.returncode == 0, result.stdout[-5000:]
    return result.stdout


class SmallBuild(NamedTuple):
    workdir: Path
    console: str
    sheet: Path
    settings: list[str]


# ---- small tables: cases, the questionnaire's summary, context figures (test_stats, test_claims, test_report...) ----

FH = {"assassination": True, "detention": True, "denial_of_entry": False, "digital_threat": False}
FAMILY = {
    "assassination": "direct_attack",
    "detention": "co_opting_host_states",
    "denial_of_entry": "mobility_controls",
    "digital_threat": "threats_from_a_distance",
}


def fresh_copies(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A copy of each table, for a test that may edit what a module-scoped fixture computed once."""
    return {name: frame.copy() for name, frame in tables.items()}


def make_cases(rows: list[tuple[str, int, str]], periods: list[Period]) -> pd.DataFrame:
    """A cases table from (country, year, tactic) triples, with the columns the statistics read."""
    frame = pd.DataFrame(rows, columns=["host_country", "year", "tactic"])
    period = pd.Series(pd.NA, index=frame.index, dtype="str")
    for p in periods:
        period = period.mask(frame["year"].between(p.first_year, p.last_year), p.name)
    return frame.assign(
        case_id=[f"C{i:05d}" for i in range(len(frame))],
        year=frame["year"].astype("int64"),
        host_country_name=frame["host_country"],
        region="Other",
        tactic_family=frame["tactic"].map(FAMILY),
        fh_counted=frame["tactic"].map(FH).astype(bool),
        eu_member=frame["host_country"].isin(["ESP", "POL", "DEU"]),
        target_profile="activist",
        verification="verified",
        period=period,
    )


def independent_interval(x_base, t_base, x_comp, t_comp, level=0.95):
    """The exact conditional interval, computed with scipy.stats' beta distribution, and the central test from
    binomtest's two one-sided p-values."""
    n = x_base + x_comp
    alpha = 1 - level
    low = scipy_stats.beta.ppf(alpha / 2, x_comp, n - x_comp + 1) if x_comp > 0 else 0.0
    high = scipy_stats.beta.ppf(1 - alpha / 2, x_comp + 1, n - x_comp) if x_comp < n else 1.0
    to_ratio = lambda p: math.inf if p >= 1 else p / (1 - p) * t_base / t_comp  # noqa: E731
    p_value = central_binomial_p(x_comp, n, t_comp / (t_base + t_comp))
    return to_ratio(x_comp / n), to_ratio(low), to_ratio(high), p_value


def validate_sheet_into(tmp_path, path, periods, sheet=None, mapping=None, origin="RUS", config=None) -> Path:
    """The validate_cases step on a sheet (its own headers in `mapping`, another origin state): the cases it wrote."""
    output = tmp_path / "out" / "cases.parquet"
    step = validate_cases.Step(
        str(path),
        str(output),
        str(Reference().directory),
        tuple(periods),
        1991,
        2026,
        sheet,
        {"test": True} if config is None else config,
        mapping,
        origin_country=origin,
    )
    validate_cases.execute(step)
    return output


def run_ingest(tmp_path, path, periods, sheet=None):
    """The step on a sheet: the cases it writes and what it prints for its log."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        output = validate_sheet_into(tmp_path, path, periods, sheet)
    return pd.read_parquet(output), printed.getvalue()


def small_survey_summary(reference):
    from tnr_pipeline.analysis import stats

    responses = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "country_of_residence": ["DEU", "GEO", "DEU"],
            "tactics_experienced": ["denial_of_entry", "", ""],
            "reduced_presence": pd.array([True, False, None], dtype="boolean"),
            "considered_relocating": pd.array([True, True, False], dtype="boolean"),
            "experienced_tnr": pd.array([True, False, False], dtype="boolean"),
        }
    )
    return stats.summarise_survey(
        responses, ("reduced_presence", "considered_relocating", "experienced_tnr"), reference.tactic_codes
    )


def small_context():
    return pd.DataFrame(
        {
            "figure_id": ["exodus_estimate", "p_2022"],
            "series": [None, "ovd_info_prosecutions"],
            "year": pd.array([None, 2022], dtype="Int64"),
            "refers_to": ["2022", "2022"],
            "value": [900000.0, 846.0],
            "unit": ["people", "cases"],
            "measures": ["m", "m"],
            "source": ["s1", "s2"],
            "unit_ru": ["человек", None],
            "measures_ru": ["м", None],
            "source_ru": ["и1", None],
        }
    )


def compiled_russian():
    """The Russian language with the repository's catalogue, checked and compiled as the build's steps do it."""
    from tnr_pipeline.model import registry
    from tnr_pipeline.render import i18n

    return i18n.load_language("ru", ROOT / registry.catalogue("ru"))


# ---- the shipped settings (test_settings, test_i18n) ----

SCHEMA = yaml.safe_load((ROOT / "config.schema.yaml").read_text(encoding="utf-8"))
TYPOLOGY = ROOT / "src" / "tnr_pipeline" / "reference" / "typology.csv"


def shipped_config(**changes) -> dict:
    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    config.update(changes)
    return config


def problems_of(monkeypatch, **changes) -> list[str]:
    monkeypatch.chdir(ROOT)
    return config_problems(shipped_config(**changes), SCHEMA, TYPOLOGY)


RUSSIAN_HEADERS = {
    "case_id": "Номер дела",
    "year": "Год",
    "date": "Дата",
    "host_country": "Страна",
    "tactic": "Тактика",
    "target_profile": "Профиль",
    "verification": "Проверка",
    "full_name": "ФИО",
}


RUSSIAN_VALUES = {
    "host_country": {
        "Kazakhstan": "Казахстан",
        "kz": "Казахстан",
        "KAZ": "казахстан",
        "Georgia": "Грузия",
        " georgia ": " грузия ",
        "GEO": "Грузия",
        "Armenia": "Армения",
        "ARM": "АРМЕНИЯ",
        "Poland": "Польша",
        "Spain": "Испания",
        "Turkey": "Турция",
        "UK": "Великобритания",
    },
    "tactic": {
        "Detention": "Задержание",
        "extradition request": "Запрос об экстрадиции",
        "detention": "задержание",
        "Denial of Entry": "Отказ во въезде",
        "denial_of_entry": "отказ во въезде",
        "DENIAL OF ENTRY": "ОТКАЗ ВО ВЪЕЗДЕ",
        "Unlawful deportation": "Незаконная депортация",
        "assassination": "Убийство",
        "coercion by proxy": "Давление через близких",
        "Assault": "Нападение",
    },
    "target_profile": {
        "Activist": "Активист",
        "journalist": "Журналист",
        "lawyer": "Адвокат",
        "Human rights defender": "Правозащитник",
        "politician": "Политик",
        "deserter": "Дезертир",
        "other": "Другое",
        "unknown": "Неизвестно",
        "activist": "активист",
    },
    "verification": {
        "verified": "Подтверждено",
        "Single source": "Один источник",
        "unverified": "Не подтверждено",
        "single_source": "один источник",
    },
}


def russian_sheet() -> pd.DataFrame:
    frame = SMALL_SHEET.copy()
    for column, values in RUSSIAN_VALUES.items():
        frame[column] = frame[column].map(lambda v, values=values: values.get(v, v))
    frame["verification"] = frame["verification"].replace({"Подтверждено": "Подтвёрждено"})  # ё read as е
    return frame.rename(columns=RUSSIAN_HEADERS)


MAPPING = {column: header for column, header in RUSSIAN_HEADERS.items() if column != "full_name"}


def cases_from(tmp_path, path, periods, sheet=None, mapping=None, origin="RUS"):
    """The cases table the step writes for a sheet; what it prints goes to the console (tests read it)."""
    return pd.read_parquet(validate_sheet_into(tmp_path, path, periods, sheet, mapping, origin, config={}))


CLAIMS_FILE_COLUMNS = ["claim_id", "section", "claim", "metric", "check", "expected", "source", "reading", "why"]


def fisher(a, b, c, d):
    """The central Fisher exact p of [[a, b], [c, d]]: twice the smaller of scipy's two one-sided p-values, at most
    1."""
    from scipy.stats import fisher_exact

    table = [[a, b], [c, d]]
    less, greater = (fisher_exact(table, alternative=side).pvalue for side in ("less", "greater"))
    return min(1.0, 2 * min(less, greater))


def central_binomial_p(successes, trials, probability):
    """The central exact binomial p: twice the smaller of scipy's two one-sided binomtest p-values, at most 1."""
    if trials == 0:
        return 1.0
    less, greater = (
        scipy_stats.binomtest(successes, trials, probability, alternative=side).pvalue for side in ("less", "greater")
    )
    return min(1.0, 2 * min(less, greater))


def statsmodels_trend_interval(counts, level=0.95):
    """exp(β) of statsmodels' Poisson GLM of the counts on the year and its Wald interval at `level`."""
    import numpy as np
    import statsmodels.api as sm

    design = sm.add_constant(np.arange(len(counts), dtype=float))
    fit = sm.GLM(np.asarray(counts, dtype=float), design, family=sm.families.Poisson()).fit()
    low, high = fit.conf_int(alpha=1 - level)[1]
    return math.exp(fit.params[1]), math.exp(low), math.exp(high)


def statsmodels_share_trend(successes, trials, level=0.95):
    """exp(β) of statsmodels' binomial GLM of a share on the year (years without a trial left out), its Wald interval
    at `level` and its likelihood-ratio p-value."""
    import numpy as np
    import statsmodels.api as sm
    from scipy.stats import chi2

    years = [(i, s, n) for i, (s, n) in enumerate(zip(successes, trials, strict=True)) if n > 0]
    design = sm.add_constant(np.array([float(i) for i, _, _ in years]))
    outcome = np.array([[s, n - s] for _, s, n in years], dtype=float)
    fit = sm.GLM(outcome, design, family=sm.families.Binomial()).fit()
    low, high = fit.conf_int(alpha=1 - level)[1]
    return math.exp(fit.params[1]), math.exp(low), math.exp(high), chi2.sf(2 * (fit.llf - fit.llnull), 1)


def conditional_odds_ratio_by_hand(a, b, c, d, level=0.95):
    """The conditional maximum-likelihood odds ratio of [[a, b], [c, d]] and its exact (Fisher/Cornfield) interval,
    found by root-finding on Fisher's noncentral hypergeometric distribution (scipy.stats.nchypergeom_fisher): the
    estimate makes the distribution's mean equal a; the bounds put probability (1 - level) / 2 in each tail."""
    from scipy.optimize import brentq
    from scipy.stats import nchypergeom_fisher

    total, row, column = a + b + c + d, a + b, a + c
    low_support, high_support = max(0, column - (total - row)), min(row, column)

    def dist(odds):
        return nchypergeom_fisher(total, row, column, odds)

    def solve(f):
        return math.exp(brentq(lambda t: f(math.exp(t)), -30, 30, xtol=1e-12))

    estimate = 0.0 if a == low_support else math.inf if a == high_support else solve(lambda o: dist(o).mean() - a)
    alpha = 1 - level
    lower = 0.0 if a == low_support else solve(lambda o: dist(o).sf(a - 1) - alpha / 2)
    upper = math.inf if a == high_support else solve(lambda o: dist(o).cdf(a) - alpha / 2)
    return estimate, lower, upper


def shipped_cases() -> pd.DataFrame:
    """The validated cases of the frozen shipped sheet (SHIPPED/cases.csv), as validate_cases writes them."""
    from tnr_pipeline.inputs import cases as case_sheet
    from tnr_pipeline.model.reference import Reference
    from tnr_pipeline.model.settings import parse_periods

    reference = Reference()
    read = case_sheet.load_case_sheet(SHIPPED / "cases.csv")
    validated = case_sheet.validate_case_sheet(
        read, reference, 1991, 2026, "cases.csv", SHIPPED / "cases.csv", origin_country="RUS"
    )
    return case_sheet.normalise_cases(validated, reference, parse_periods(ANALYSIS["periods"]))


def shipped_survey_summary() -> pd.DataFrame:
    """survey_summary of the frozen shipped questionnaire (SHIPPED/survey.csv), as summarise_survey writes it."""
    from tnr_pipeline.analysis.stats import summarise_survey
    from tnr_pipeline.inputs.survey import YES_NO_QUESTIONS, code_responses, load_survey_sheet, validate_survey_sheet
    from tnr_pipeline.model.reference import Reference

    reference = Reference()
    read = load_survey_sheet(SHIPPED / "survey.csv")
    sheet = validate_survey_sheet(read, reference, "survey.csv", SHIPPED / "survey.csv", {})
    responses = code_responses(sheet, reference)
    return summarise_survey(responses, YES_NO_QUESTIONS, reference.tactic_codes, ANALYSIS["confidence_level"])


def holm_by_statsmodels(p_values):
    """statsmodels' Holm adjustment. It runs a full garbage collection at every call, which in a test process costs
    ~0.2 s (the whole suite's objects); the objects alive before the call are set aside for it (gc.freeze), which
    changes only what that collection walks."""
    import gc

    from statsmodels.stats.multitest import multipletests

    gc.freeze()
    try:
        return list(multipletests(p_values, method="holm")[1])
    finally:
        gc.unfreeze()


def statsmodels_trend(counts):
    import numpy as np
    import statsmodels.api as sm
    from scipy.stats import chi2

    design = sm.add_constant(np.arange(len(counts), dtype=float))
    with warnings.catch_warnings():
        # two years leave no residual degree of freedom (statsmodels' scale divides by zero), and two years or equal
        # counts fit exactly, which it flags as separation; the estimate and likelihoods it returns are still exact
        warnings.simplefilter("ignore")
        fit = sm.GLM(np.asarray(counts, dtype=float), design, family=sm.families.Poisson()).fit()
    return math.exp(fit.params[1]), chi2.sf(2 * (fit.llf - fit.llnull), 1)


def validate_with_frictionless(package: Path) -> subprocess.CompletedProcess:
    """The reference validator's own command: the descriptor, and every cell of every resource against its schema."""
    command = [str(Path(sys.executable).parent / "frictionless"), "validate", package.name]
    return subprocess.run(command, cwd=package.parent, capture_output=True, text=True, timeout=300)
