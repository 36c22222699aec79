"""What a fetch still has to ask for, and the progress lines it prints while it asks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from helpers.fetch.apis import DAYS, Api

PROGRESS_EVERY_S = 15.0  # a progress line at least this often while an API is being fetched
PROGRESS_STEPS = 4  # ... and one each time another quarter of its days is done


def span_days(begin: date, end: date) -> int:
    return (end - begin).days + 1


@dataclass(frozen=True)
class Plan:
    api: Api
    total: int  # days of the API's windows inside the range
    done: int  # of them, covered by a final answer already
    requests: tuple[tuple[date, date], ...]


def plan(api: Api, first: date, last: date, covered: set[date]) -> Plan:
    """The requests that cover every day of [first, last] not yet `covered`, each within the API's
    span: runs of missing days cut into pieces of `max_days`, or whole weeks / months."""
    units = api.units(first, last)
    total = sum(span_days(b, e) for b, e in units)
    if api.split == DAYS:
        requests = _runs([b for b, _ in units if b not in covered], api.max_days)
    else:
        requests = [(b, e) for b, e in units
                    if any(b + timedelta(days=i) not in covered for i in range(span_days(b, e)))]
    return Plan(api, total, total - sum(span_days(b, e) for b, e in requests), tuple(requests))


def _runs(days: list[date], longest: int) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1) and span_days(*runs[-1]) < longest:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


class Progress:
    """`<api>: done/total days` when it starts, every quarter of the way (and every
    PROGRESS_EVERY_S), and at the end: five lines for an API that takes less than a minute, however
    many requests it takes."""

    def __init__(self, plan: Plan, say: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.name, self.total, self.done = plan.api.name, plan.total, plan.done
        self._say, self._clock = say, clock
        self._last_step, self._last_time = self._step(), clock()
        todo = len(plan.requests)
        if todo:
            self._line(f"{todo} request{'s' if todo > 1 else ''}")
        else:
            self._line("already fetched")

    def _step(self) -> int:
        return self.done * PROGRESS_STEPS // max(1, self.total)

    def _line(self, note: str = "") -> None:
        self._say(f"{self.name}: {self.done}/{self.total} days" + (f" ({note})" if note else ""))
        self._last_time = self._clock()

    def advance(self, days: int) -> None:
        self.done += days
        step = self._step()
        if self.done < self.total and (step > self._last_step or self._clock() - self._last_time >= PROGRESS_EVERY_S):
            self._last_step = step
            self._line()

    def finish(self, note: str = "done") -> None:
        self._line(note)
