"""What data the outputs come from: the description of each input (a Frictionless Data Package beside the raw
files) and the data package that describes the outputs for reviewers.

What belongs here: finding an input's resource in the input package by its path, reducing it to what every output
must carry (title, whether it is a reconstruction and why), the wording of the reconstruction notice, and building
data/processed/datapackage.json from the field definitions and the tables' provenance. Standard library only: the
figure and report steps call it without pandas.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tnr_pipeline.model.fields import BOOLEAN, DATE, FLOAT, INTEGER, TABLES, TEXT, table_fields
from tnr_pipeline.model.messages import N_
from tnr_pipeline.model.settings import SettingsError

RECONSTRUCTION = "tnr:reconstruction"  # the namespaced property of a resource that says whether it is invented
TABLE_SCHEMA_TYPES = {TEXT: "string", INTEGER: "integer", FLOAT: "number", BOOLEAN: "boolean", DATE: "date"}
# What each input is, in words a reader understands (the roles the input steps give their inputs; translated where
# they are shown).
ROLES = (N_("case data"), N_("questionnaire"), N_("context figures"))


class DescriptionError(SettingsError):
    """The input package (config: input_descriptions) cannot be read (not JSON, not a data package)."""

    def __init__(self, message: str):
        super().__init__([message], "input_descriptions")


def read_input_package(path: str | Path | None) -> dict | None:
    """The input data package (data/raw/datapackage.json), or None when none is given or the file is absent."""
    if not path or not Path(path).is_file():
        return None
    try:
        package = json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DescriptionError(f"{path}: not a readable JSON data package ({error})") from None
    if not isinstance(package, dict) or not isinstance(package.get("resources", []), list):
        raise DescriptionError(f"{path}: not a data package (it needs a list of `resources`)")
    return package


def find_resource(package: dict | None, package_path: str | Path | None, input_path: str | Path) -> dict | None:
    """The package's resource whose path (relative to the package's folder) is the input file, if any."""
    if not package:
        return None
    folder = Path(package_path).resolve().parent
    wanted = Path(input_path).resolve()
    for resource in package.get("resources", []):
        path = resource.get("path")
        if isinstance(path, str) and (folder / path).resolve() == wanted:
            return resource
    return None


def describe_input(input_path: str | Path, package_path: str | Path | None, role: str) -> dict:
    """What every output built from this input carries about it: its role, whether it is described, its title, and
    whether it is a reconstruction (with the reason)."""
    package = read_input_package(package_path)
    resource = find_resource(package, package_path, input_path)
    if resource is None:
        return {"role": role, "described": False, "title": None, "reconstruction": False, "reason": None}
    flag = resource.get(RECONSTRUCTION) or {}
    return {
        "role": role,
        "described": True,
        "title": resource.get("title") or resource.get("name"),
        "reconstruction": bool(flag.get("is_reconstruction")),
        "reason": flag.get("reason"),
        **{key: value for key, value in flag.items() if key.startswith("reason_")},  # the reason in other languages
    }


def built_to_satisfy(package_path: str | Path | None, described: dict[str, dict]) -> frozenset[str]:
    """The claim_ids of the claims ledger whose verdict the reconstructed inputs were drawn to give: the union of
    the `built_to_satisfy` lists in the `tnr:reconstruction` of each reconstructed input's resource. Empty when no
    input is described as a reconstruction."""
    package = read_input_package(package_path)
    built = set()
    for path in reconstructed(described):
        resource = find_resource(package, package_path, path) or {}
        listed = (resource.get(RECONSTRUCTION) or {}).get("built_to_satisfy") or []
        if not isinstance(listed, list) or not all(isinstance(item, str) for item in listed):
            raise DescriptionError(
                f'{package_path}: the built_to_satisfy of {path} is not a list of claim_ids (e.g. ["pre_war_cases"])'
            )
        built.update(listed)
    return frozenset(built)


def reconstructed(described: dict[str, dict]) -> dict[str, dict]:
    """The inputs (path -> description) that are reconstructions."""
    return {path: info for path, info in described.items() if info.get("reconstruction")}


def undescribed(described: dict[str, dict]) -> dict[str, dict]:
    """The inputs (path -> description) that no input package describes."""
    return {path: info for path, info in described.items() if not info.get("described")}


def field_descriptor(field, allowed: list | None) -> dict:
    """A Table Schema field from a field definition; allowed values become an `enum` constraint."""
    descriptor = {"name": field.name, "type": TABLE_SCHEMA_TYPES[field.kind], "description": field.description}
    constraints = {}
    if not field.nullable:
        constraints["required"] = True
    if field.unique:
        constraints["unique"] = True
    if allowed:
        constraints["enum"] = list(allowed)
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def table_resource(name: str, path: str | Path, package_dir: str | Path, allowed: dict[str, list]) -> dict:
    """A tabular data resource for one output table, its fields generated from `fields`."""
    description, _ = TABLES[name]
    return {
        "name": name,
        "path": Path(os.path.relpath(path, package_dir)).as_posix(),
        "profile": "tabular-data-resource",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "title": name.replace("_", " ").capitalize(),
        "description": description,
        # Parquet stores a missing value as null, so no text marks one: an empty string is a value (for example
        # survey_responses.tactics_experienced of a respondent who experienced none), not Table Schema's default "".
        "schema": {
            "fields": [field_descriptor(field, allowed.get(field.name)) for field in table_fields(name)],
            "missingValues": [],
        },
    }


def output_package(
    tables: dict[str, dict],
    provenance: dict,
    package_dir: str | Path,
    input_package: dict | None,
    input_package_path: str | None,
    notice: str = "",
) -> dict:
    """The data package of the outputs: every table (name -> {"path", "provenance"}) as a resource, their merged
    `provenance` (`io.merge_provenance`), the input package's own description and `notice`, the words that say which
    inputs are reconstructed (`render.notices.reconstruction_notice`)."""
    resources = [
        table_resource(name, table["path"], package_dir, table["provenance"].get("allowed_values", {}))
        for name, table in tables.items()
    ]
    package = {
        "profile": "tabular-data-package",
        "name": "tnr-pipeline-outputs",
        "title": "tnr-pipeline outputs: validated cases, statistics, claims ledger and questionnaire summary",
        "description": "The tables the pipeline writes, each validated against its schema before it was written. "
        "Column definitions come from the pipeline's field definitions (fields.py)." + (f" {notice}" if notice else ""),
        "licenses": (input_package or {}).get("licenses") or [{"name": "MIT", "title": "MIT License"}],
        "resources": resources,
        "tnr:provenance": {
            key: provenance[key] for key in ("inputs_sha256", "inputs_described", "package_version", "config")
        },
        "tnr:inputs": _input_summary(input_package, input_package_path),
    }
    return package


def _input_summary(package: dict | None, path: str | None) -> dict:
    if package is None:
        return {"described": False, "note": "no description of the inputs was provided"}
    keep = ("name", "title", "description", "licenses", "sources")
    return {
        "described": True,
        "path": path,
        **{key: package[key] for key in keep if key in package},
        "resources": [
            {key: value for key, value in resource.items() if key != "schema"}
            for resource in package.get("resources", [])
        ],
    }
