"""The report suite: which notebooks there are, in what order, with which parameter model, title,
output contract, and which other notebooks' published JSON each reads.

The runner plans from here; a notebook opens itself with `open_report` from here. This is the one
place that knows every report family; families never import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.campaigns.params import CampaignEvaluationParams
from helpers.content.params import ContentPerformanceParams
from helpers.core import engines
from helpers.core.params import SharedParams, load_params, validate
from helpers.core.paths import project_root
from helpers.core.periods import Period, resolve_period
from helpers.forecasting import inputs as forecasting_inputs
from helpers.forecasting.params import ForecastingParams
from helpers.merchants.params import MerchantPerformanceParams
from helpers.render import style
from helpers.render.outputs import CONTRACTS, OutputContract
from helpers.render.report import SAMPLE, Report
from helpers.sample import ensure_sample
from helpers.users.params import UserAnalysisParams
from helpers.weekly import expected as weekly_expected
from helpers.weekly.params import WeeklySummaryParams


@dataclass(frozen=True)
class Notebook:
    name: str
    params: type[SharedParams]
    title: str  # catalog key of the report's title
    contract: OutputContract
    reads: tuple[str, ...] = ()  # notebooks whose published JSON this one reads: they run first
    # Other files it reads besides the warehouse, from (validated params, <out>, period): the cache
    # key covers their contents.
    inputs: Callable[[Any, Path, Period], list[Path]] | None = None


SUITE: tuple[Notebook, ...] = (
    Notebook("weekly_summary", WeeklySummaryParams, "title_weekly_summary", CONTRACTS["weekly_summary"],
             inputs=weekly_expected.input_files),  # the previous week's forecast.csv
    Notebook("user_analysis", UserAnalysisParams, "title_user_analysis", CONTRACTS["user_analysis"]),
    Notebook("content_performance", ContentPerformanceParams, "title_content_performance",
             CONTRACTS["content_performance"]),
    Notebook("campaign_evaluation", CampaignEvaluationParams, "title_campaign_evaluation",
             CONTRACTS["campaign_evaluation"]),
    Notebook("merchant_performance", MerchantPerformanceParams, "title_merchant_performance",
             CONTRACTS["merchant_performance"]),
    Notebook("forecasting", ForecastingParams, "title_forecasting", CONTRACTS["forecasting"],
             inputs=forecasting_inputs.input_files),
)
NOTEBOOKS: dict[str, Notebook] = {nb.name: nb for nb in SUITE}
# A notebook the suite does not know (an analyst's own) runs with the shared parameters only.
UNKNOWN = OutputContract()


def notebook(name: str) -> Notebook:
    return NOTEBOOKS.get(name) or Notebook(name, SharedParams, "", UNKNOWN)


def params_model(name: str) -> type[SharedParams]:
    return notebook(name).params


def input_files(name: str, values: SharedParams, out: Path, period: Period) -> tuple[Path, ...]:
    """The files besides the warehouse and other notebooks' JSON that a run of `name` for `period`
    into `out` (the folder holding the week folders) reads: files its parameters point to, earlier
    reports' outputs. A change to any of them must make the report again."""
    lister = notebook(name).inputs
    return tuple(lister(values, out, period)) if lister else ()


def title(name: str, tx: Any) -> str:
    """A notebook's report title in the language of `tx`; unknown notebooks keep their file name."""
    key = notebook(name).title
    return tx(key) if key else name.replace("_", " ")


def load(name: str, params_dir: Path, overrides: dict[str, Any] | None = None) -> Any:
    """defaults.yaml + <name>.yaml + overrides, validated against the notebook's model."""
    return load_params(name, params_model(name), params_dir, overrides)


def resolve_data(data: str, base: Path | None = None) -> Path:
    """'sample' -> the bundled sample (generated on first use); relative paths resolve on `base`."""
    if data == SAMPLE:
        return ensure_sample()
    path = Path(data).expanduser()
    return path if path.is_absolute() else (base or project_root()) / path


def open_report(name: str, params: dict[str, Any] | None = None) -> Report:
    """Validate parameters, open the warehouse and resolve the period for one notebook.

    Run by the suite, `params` is the runner's fully resolved set (validated before the kernel
    started, warehouse already built); opened by hand in JupyterLab, `params` may be empty and the
    values come from params/*.yaml, so both paths give the same report.
    """
    params = dict(params or {})
    runner = params.pop("runner", None) or {}
    model = params_model(name)
    values = validate(model, params) if runner else load(name, project_root() / "params", params).values
    style.apply()
    remote = runner.get("spark_remote")  # the run's shared Spark server (engine: spark)
    source = values.data if engines.is_uri(values.data) else resolve_data(values.data)
    warehouse = runner.get("warehouse") or engines.prepare(values, source, remote=remote)
    wh = engines.open_warehouse(Path(warehouse), values, remote)
    period = resolve_period(values.period, wh.first_date, wh.last_date)
    output_dir = Path(runner["output_dir"]) if runner.get("output_dir") else None
    if runner:
        reads = {n: Path(p) for n, p in runner.get("reads", {}).items()}
    else:
        out = Path(values.out) if Path(values.out).is_absolute() else project_root() / values.out
        reads = {n: out / period.label / f"{n}.json" for n in notebook(name).reads}
    return Report(name, values, period, wh, output_dir, title=notebook(name).title, reads=reads)
