"""Planning a run: every notebook's parameters, data and period validated before any kernel starts.

A problem a user can fix (a parameter, the data, a week outside the data, a missing kernel) stops
the run here with a message naming the file, key or row, so nothing has been changed yet.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers import suite
from helpers.core import engines
from helpers.core.errors import DataError, KernelError, ParamError
from helpers.core.params import COMMAND_LINE, DEFAULTS_FILE, LoadedParams
from helpers.core.paths import project_root
from helpers.core.periods import resolve_period
from helpers.core.warehouse import Warehouse, day_number
from helpers.run.cache import base_key, code_fingerprint
from helpers.run.jobs import Job, Options
from helpers.run.spark_server import SparkServer


def discover(notebooks_dir: Path, only: list[str] | None) -> list[tuple[str, Path]]:
    found = {p.stem: p for p in notebooks_dir.glob("*.ipynb")}
    if not found:
        raise ParamError(f"{notebooks_dir}: no notebooks (*.ipynb) found")
    unknown = sorted(set(only or []) - set(found))
    if unknown:
        raise ParamError(f"command line: --only {', '.join(unknown)}: no such notebook in "
                         f"{notebooks_dir} (have: {', '.join(sorted(found))})")
    order = {nb.name: i for i, nb in enumerate(suite.SUITE)}
    names = sorted(found, key=lambda n: (order.get(n, len(order)), n))
    return [(n, found[n]) for n in names]


def _absolute(value: str, origin: str) -> str:
    """CLI paths are relative to the working directory, YAML paths to the project root."""
    if (value == "sample" and origin != COMMAND_LINE) or engines.is_uri(value):
        return value
    base = Path.cwd() if origin == COMMAND_LINE else project_root()
    path = Path(value).expanduser()
    if path.is_absolute():
        return str(path)
    try:
        return str((base / path).resolve())
    except (OSError, RuntimeError) as exc:  # e.g. a symlink loop
        raise DataError(f"{base / path}: cannot be resolved ({exc}); expected a folder or a file") from None


@dataclass
class Plan:
    jobs: list[Job]
    # Notebooks left out by --only whose own parameters are broken: listed, not run.
    unplanned: dict[str, str] = field(default_factory=dict)


def out_problem(folder: Path) -> str | None:
    """Why reports cannot be written into `folder`, or None. Checked while planning, so a wrong
    --out stops the run before the warehouse is built or any kernel starts."""
    if folder.exists() and not folder.is_dir():
        return f"{folder} is a file; expected a folder (reports are written to <out>/<week>/)"
    existing = next(p for p in (folder, *folder.parents) if p.exists() or p.is_symlink())
    if not existing.exists():
        return f"{folder} cannot be created: {existing} is a broken or looping link"
    if not existing.is_dir():
        return f"{folder} cannot be created: {existing} is a file; expected a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        what = "is not writable" if existing == folder else f"cannot be created: {existing} is not writable"
        return f"{folder} {what}; expected a folder this user can write to"
    return None


def plan(options: Options, say: Callable[[str], None] | None = None,
         spark: SparkServer | None = None) -> Plan:
    """Validated jobs; raises ParamError/DataError listing every problem of the notebooks to run.
    `say` hears about a warehouse being built, table by table (it takes minutes on large data).
    With `engine: spark`, `spark` starts the run's shared local Spark server (none: each process
    opens its own local session)."""
    if not options.params_dir.is_dir():
        raise ParamError(f"{options.params_dir}: no such params folder; expected a folder holding "
                         f"{DEFAULTS_FILE} and <notebook>.yaml files")
    overrides = {"data": options.data, "period": options.period, "out": options.out,
                 "engine": options.engine}
    notebooks = discover(options.notebooks_dir, options.only)
    selected = set(options.only or [name for name, _ in notebooks])
    problems: dict[str, list[str]] = {}
    loaded: list[tuple[str, Path, LoadedParams, Path]] = []
    for name, path in notebooks:
        try:
            lp = suite.load(name, options.params_dir, overrides)
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
            continue
        out = Path(_absolute(lp.values.out, lp.origin.get("out", "default")))
        if problem := out_problem(out):
            problems.setdefault(name, []).append(f"{lp.where('out')}: {problem}")
            continue
        loaded.append((name, path, lp, out))
    _raise_for(problems, selected)
    warehouses: dict[tuple[str, ...], tuple[Warehouse, str | None]] = {}
    jobs: list[Job] = []
    for name, path, lp, out in loaded:
        values = lp.values
        data = _absolute(values.data, lp.origin.get("data", "default"))
        key = (data, values.timezone, values.engine,
               values.spark.model_dump_json() if values.engine == "spark" else "")
        if key not in warehouses:
            source = data if engines.is_uri(data) else suite.resolve_data(data)
            remote = spark.remote(values) if spark is not None else None
            built = engines.prepare(values, source, _building(source, say), remote, say)
            warehouses[key] = (engines.open_warehouse(built, values, remote), remote)
        wh, remote = warehouses[key]
        try:
            jobs.append(_job(name, path, lp, data, out, wh))
            jobs[-1].spark_remote = remote
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
    for wh, _ in warehouses.values():
        wh.close()
    _raise_for(problems, selected)
    code = code_fingerprint()
    for job in jobs:
        job.key = base_key(job, code)
    return Plan(jobs, {name: "; ".join(p) for name, p in problems.items()})


def _building(source: Path | str, say: Callable[[str], None] | None) -> Callable[[int, int, str], None] | None:
    """Progress lines for a warehouse build: one naming the source, then one per table."""
    if say is None:
        return None

    def progress(i: int, n: int, table: str) -> None:
        if i == 1:
            say(f"wxreport: building the warehouse from {source} (first run on this data; "
                f"{n} tables)")
        say(f"  loading   {table} ({i}/{n})")

    return progress


def _job(name: str, path: Path, lp: LoadedParams, data: str, out: Path, wh: Warehouse) -> Job:
    """One notebook's job: its period resolved on the data (with own tracking, a week with events),
    its report folder writable, the files it reads listed; a problem raises ParamError naming the
    key."""
    values = lp.values
    period = resolve_period(values.period, wh.first_date, wh.last_date, lp.where("period"))
    # With own tracking a week needs events; WeChat's statistics alone need only the week to lie
    # inside their days (resolve_period checks that).
    if wh.has("events") and not wh.scalar(
            "SELECT COUNT(*) FROM events WHERE event_day BETWEEN :lo AND :hi",
            {"lo": day_number(period.start), "hi": day_number(period.end)}):
        raise ParamError(f"{lp.where('period')}: {period.label} ({period.start} .. {period.end}) has "
                         f"no events in {wh.meta['source']}/events; pick another week")
    if problem := out_problem(out / period.label):
        raise ParamError(f"{lp.where('out')}: {problem}")
    resolved = values.model_dump() | {"data": data, "period": period.label, "out": str(out)}
    return Job(name, path, resolved, period, out / period.label, wh.path,
               enabled=values.enabled, language=values.language,
               data_source="sample" if values.data == "sample" else str(wh.meta["source"]),
               reads=suite.notebook(name).reads, inputs=suite.input_files(name, values, out, period))


def _raise_for(problems: dict[str, list[str]], selected: set[str]) -> None:
    """One ParamError listing each problem of the selected notebooks once (a bad shared key or
    command-line value is the same problem for every notebook)."""
    blocking = [p for name, ps in problems.items() if name in selected for p in ps]
    if blocking:
        raise ParamError("\n".join(dict.fromkeys(blocking)))


def check_kernel(name: str) -> None:
    """The kernel exists and its Python can import the helpers; else a KernelError saying how to fix."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    fix = "run `make venv` (it installs the kernel into .venv)"
    try:
        spec = KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        raise KernelError(f"Jupyter kernel {name!r} is not installed; {fix}") from None
    python = spec.argv[0]
    try:
        subprocess.run([python, "-c", "import helpers, ipykernel"], check=True, capture_output=True,
                       text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise KernelError(f"Jupyter kernel {name!r} ({python}) cannot import the helpers: "
                          f"{detail.strip().splitlines()[-1] if detail.strip() else exc}; {fix}") from None
