"""Planning a run: every notebook's parameters, data and period validated before any kernel starts.

A problem a user can fix (a parameter, the data, a week outside the data, a missing kernel) stops
the run here with a message naming the file, key or row, so nothing has been changed yet.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from helpers import suite
from helpers.core.errors import KernelError, ParamError
from helpers.core.params import COMMAND_LINE, LoadedParams
from helpers.core.paths import project_root
from helpers.core.periods import resolve_period
from helpers.core.warehouse import Warehouse, build_warehouse, day_number
from helpers.run.cache import base_key, code_fingerprint
from helpers.run.jobs import Job, Options


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
    if value == "sample" and origin != COMMAND_LINE:
        return value
    base = Path.cwd() if origin == COMMAND_LINE else project_root()
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


@dataclass
class Plan:
    jobs: list[Job]
    # Notebooks left out by --only whose own parameters are broken: listed, not run.
    unplanned: dict[str, str] = field(default_factory=dict)


def plan(options: Options) -> Plan:
    """Validated jobs; raises ParamError/DataError listing every problem of the notebooks to run."""
    overrides = {"data": options.data, "period": options.period, "out": options.out}
    notebooks = discover(options.notebooks_dir, options.only)
    selected = set(options.only or [name for name, _ in notebooks])
    problems: dict[str, list[str]] = {}
    loaded: list[tuple[str, Path, LoadedParams]] = []
    for name, path in notebooks:
        try:
            loaded.append((name, path, suite.load(name, options.params_dir, overrides)))
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
    _raise_for(problems, selected)
    warehouses: dict[tuple[str, str], Warehouse] = {}
    jobs: list[Job] = []
    for name, path, lp in loaded:
        values = lp.values
        data = _absolute(values.data, lp.origin.get("data", "default"))
        source_key = (data, values.timezone)
        if source_key not in warehouses:
            source = suite.resolve_data(data)
            warehouses[source_key] = Warehouse(build_warehouse(source, values.timezone))
        wh = warehouses[source_key]
        try:
            period = resolve_period(values.period, wh.first_date, wh.last_date, lp.where("period"))
        except ParamError as exc:
            problems.setdefault(name, []).append(str(exc))
            continue
        events = wh.scalar("SELECT COUNT(*) FROM events WHERE event_day BETWEEN :lo AND :hi",
                           {"lo": day_number(period.start), "hi": day_number(period.end)})
        if not events:
            problems.setdefault(name, []).append(
                f"{lp.where('period')}: {period.label} ({period.start} .. {period.end}) has no "
                f"events in {wh.meta['source']}/events; pick another week")
            continue
        out = Path(_absolute(values.out, lp.origin.get("out", "default")))
        resolved = values.model_dump() | {"data": data, "period": period.label, "out": str(out)}
        jobs.append(Job(name, path, resolved, period, out / period.label, wh.path,
                        enabled=values.enabled, language=values.language,
                        data_source="sample" if values.data == "sample" else str(wh.meta["source"]),
                        reads=suite.notebook(name).reads))
    for wh in warehouses.values():
        wh.close()
    _raise_for(problems, selected)
    code = code_fingerprint()
    for job in jobs:
        job.key = base_key(job, code)
    return Plan(jobs, {name: "; ".join(p) for name, p in problems.items()})


def _raise_for(problems: dict[str, list[str]], selected: set[str]) -> None:
    blocking = [p for name, ps in problems.items() if name in selected for p in ps]
    if blocking:
        raise ParamError("\n".join(blocking))


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
