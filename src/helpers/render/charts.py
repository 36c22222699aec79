"""Chart pieces every report uses (matplotlib, house style from `style.apply`)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from helpers.render import fmt


def value_axis(ax: plt.Axes, unit: str, language: str) -> None:
    """Tick labels in the report's number style (万 / K, ¥, %)."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: fmt.value(x, unit, language)))
