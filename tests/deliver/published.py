"""A week folder as a run publishes it, written in milliseconds for the delivery tests: index.html
from the real `render.index.render_index`, each report's JSON with its summary block, the weekly
summary's kpi_status, report pages and a small poster PNG.

    folder = publish_week(tmp_path / "reports", failed=["user_analysis"], finding="<@all> [x](http://e)")
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from helpers.core.periods import Period
from helpers.render.index import IndexEntry, render_index

PERIOD = Period.parse("2026-W47")
TITLES = {"zh": {"weekly_summary": "每周经营摘要", "user_analysis": "用户分析", "content_performance": "内容表现"},
          "en": {"weekly_summary": "Weekly summary", "user_analysis": "User analysis",
                 "content_performance": "Content performance"}}
KPI_STATUS = [
    {"metric": "active_users", "tone": "bad", "value": 12011, "wow": -0.0769, "target": None, "target_status": None,
     "forecast": None, "forecast_lo80": None, "forecast_hi80": None, "forecast_made_in": None, "forecast_status": None},
    {"metric": "new_users", "tone": "bad", "value": 1449, "wow": -0.172, "target": 1500, "target_status": "at_risk",
     "forecast": None, "forecast_lo80": None, "forecast_hi80": None, "forecast_made_in": None, "forecast_status": None},
    {"metric": "orders", "tone": "flat", "value": 2039, "wow": -0.056, "target": None, "target_status": None,
     "forecast": 2100.0, "forecast_lo80": 1900.0, "forecast_hi80": 2300.0, "forecast_made_in": "2026-W46",
     "forecast_status": "within"},
    {"metric": "gmv", "tone": "good", "value": 177166.96, "wow": -0.0978, "target": 150000, "target_status": "met",
     "forecast": None, "forecast_lo80": None, "forecast_hi80": None, "forecast_made_in": None, "forecast_status": None},
]


def poster_png(width: int = 108, height: int = 192) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 250, 245)).save(buffer, "PNG")
    return buffer.getvalue()


def _payload(name: str, period: Period, summary: dict, metrics: dict | None = None) -> dict:
    return {"schema_version": "1.1", "notebook": name, "period": period.label,
            "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
            "data_source": "sample", "generated_at": "2026-11-24T08:00:00+08:00",
            "metrics": metrics or {}, "definitions": {}, "summary": summary}


def publish_week(out: Path, *, period: Period = PERIOD, language: str = "zh", failed: tuple[str, ...] = (),
                 skipped_sections: dict[str, list[tuple[str, str]]] | None = None,
                 finding: str | None = None, alerts: dict[str, list[str]] | None = None,
                 verdict: str = "成交额（GMV）达到目标；新增用户接近目标。", poster: bool = True,
                 names: tuple[str, ...] = ("weekly_summary", "user_analysis", "content_performance"),
                 data_name: bool = True) -> Path:
    """Write `<out>/<period>/` as the run would; returns the folder. `finding` is every report's
    top finding except the weekly summary's (its `verdict` is that); a failed report keeps an older
    week's JSON, as the runner leaves it."""
    folder = Path(out) / period.label
    folder.mkdir(parents=True, exist_ok=True)
    skipped_sections = skipped_sections or {}
    alerts = alerts or {}
    entries = []
    for name in names:
        status = "failed" if name in failed else "ok"
        sections = tuple(skipped_sections.get(name, ()))
        summary = {"verdict": "incomplete" if sections else "attention" if alerts.get(name) else "ok",
                   "top_finding": verdict if name == "weekly_summary" else (finding or f"{name} finding"),
                   "alerts": [{"kind": "anomaly", "text": a} for a in alerts.get(name, [])],
                   "sections_skipped": [{"section": s, "reason": r} for s, r in sections], "findings": []}
        metrics = {"kpi_status": KPI_STATUS} if name == "weekly_summary" else {}
        week = period.previous if status == "failed" else period  # the last good JSON
        (folder / f"{name}.json").write_text(json.dumps(_payload(name, week, summary, metrics), ensure_ascii=False),
                                             encoding="utf-8")
        (folder / f"{name}.html").write_text(f"<html><body>{name}</body></html>", encoding="utf-8")
        entries.append(IndexEntry(name=name, title=TITLES[language].get(name, name), status=status, seconds=3.0,
                                  report=f"{name}.html", error="boom" if status == "failed" else None,
                                  sections_skipped=sections))
    published = {n: json.loads((folder / f"{n}.json").read_text(encoding="utf-8")) for n in names}
    page = render_index(period, "sample", datetime(2026, 11, 24, tzinfo=UTC), entries, language,
                        published, [], "weekly_summary.png" if poster else None)
    if not data_name:  # an index written before data-name was added: names from the links
        page = page.replace(' data-name="', ' data-x="')
    (folder / "index.html").write_text(page, encoding="utf-8")
    if poster:
        (folder / "weekly_summary.png").write_bytes(poster_png())
    return folder
