"""Sentences and labels in the report language, from the one text catalog (`render.catalog`).

    tx = Text("zh")
    tx("ua_growth", new_users=1449, change=-0.172)   # -> '本周新增用户 1,449（周环比 -17.2%）'

A placeholder `{name}` named after a registry metric is formatted by that metric's unit and records
the metric as shown (the report's notes define exactly the metrics shown); `{name:format}` formats
a number or date through `render.fmt` (users, CNY, fraction, relative_change, points, ratio,
day_month, iso_week, ...); any other `{name}` takes text as given (labels, names: the HTML layer
escapes them). A number never reaches a sentence any other way, and no function chooses its
wording by language: the logic of a finding is written once and its words are looked up here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Number
from typing import Any

from helpers.core.metrics import METRICS
from helpers.core.vocabulary import FESTIVAL_LABELS, page_label
from helpers.core.vocabulary import label as value_label
from helpers.core.wechat import access_source, follower_source_label
from helpers.render import fmt
from helpers.render.catalog import entry, placeholders


class Text:
    """The catalog in one language; remembers, in order, the metrics it has shown."""

    def __init__(self, language: str):
        entry("title_weekly_summary", language)  # fails early on an unknown language
        self.language = language
        self.shown: list[str] = []

    def __call__(self, key: str, **values: Any) -> str:
        """The catalog sentence `key` with its placeholders filled."""
        template = entry(key, self.language)
        filled: dict[str, str] = {}
        for name, spec in placeholders(template):
            if name not in values:
                raise KeyError(f"text {key!r} needs a value for {{{name}}}")
            filled[name] = self._fill(key, name, spec, values[name])
        return template.format_map(_Verbatim(filled))

    def _fill(self, key: str, name: str, spec: str, value: Any) -> str:
        if spec:
            return fmt.formatted(value, spec, self.language)
        if name in METRICS:
            return self.value(name, value)
        if isinstance(value, str):
            return value
        if isinstance(value, Number) or value is None or (isinstance(value, float) and math.isnan(value)):
            raise TypeError(f"text {key!r}: {{{name}}} is a number; give it a format, e.g. "
                            f"{{{name}:users}}, or name it after its metric")
        return str(value)

    def label(self, metric: str) -> str:
        """A metric's label from the registry; the metric counts as shown."""
        self.shows(metric)
        return METRICS[metric].label(self.language)

    def value(self, metric: str, x: Any) -> str:
        """A metric's value formatted by its unit; the metric counts as shown."""
        self.shows(metric)
        return fmt.value(x, METRICS[metric].unit, self.language)

    def column(self, metric: str, xs: Sequence[Any]) -> list[str]:
        """A column of a metric's values with one precision (`fmt.column`); the metric counts as
        shown."""
        self.shows(metric)
        return fmt.column(list(xs), METRICS[metric].unit, self.language)

    def shows(self, *metrics: str) -> None:
        """Record metrics a chart or table displays without naming them in words."""
        for metric in metrics:
            if metric not in METRICS:
                raise KeyError(f"metric {metric!r} is not in the registry (helpers/*/metrics.yaml)")
            if metric not in self.shown:
                self.shown.append(metric)

    def data(self, value: object) -> str:
        """A data value (channel, event, gender, tier, ...) as people say it."""
        return value_label(value, self.language)

    def page(self, path: object) -> str:
        """A mini-program page by name ('商品详情'), not its path, where the words are known."""
        return page_label(path, self.language)

    def access_source(self, scene: int | None) -> str:
        """WeChat's access source of a mini-program scene code."""
        return access_source(scene).label(self.language)

    def follower_source(self, source: str | int) -> str:
        """An official-account follower source, given as WeChat's code or its Chinese name."""
        return follower_source_label(source, self.language)

    def festival(self, key: str) -> str:
        """A shopping festival of the business calendar (618, double_11, ...)."""
        return FESTIVAL_LABELS[key][self.language]

    def weekdays(self) -> list[str]:
        """Monday..Sunday, short."""
        return self("weekdays").split(",")


class _Verbatim(dict):
    """format_map values that are already formatted: '{x:users}' takes the text of x as is."""

    def __getitem__(self, key: str) -> _Formatted:
        return _Formatted(super().__getitem__(key))


class _Formatted(str):
    def __format__(self, spec: str) -> str:
        return str(self)


def text(key: str, language: str, **values: Any) -> str:
    """A catalog sentence where no report is being written (index, runner messages)."""
    return Text(language)(key, **values)
