"""How the campaign report writes its data words and its numbers: campaign types, methods and
variants from the catalog; a lift's level, change and 95% interval in the metric's unit
(differences of rates in percentage points, money with ¥, counts rounded)."""

from __future__ import annotations

import math
from datetime import date

from helpers.campaigns.evaluation import Evaluation
from helpers.render import fmt
from helpers.render.text import Text

# Catalog words of the campaign vocabulary; other data values (channels, events) via `tx.data`.
WORDS = {
    "coupon": "ce_type_coupon", "group_buy": "ce_type_group_buy", "bargain": "ce_type_bargain",
    "flash_sale": "ce_type_flash_sale", "live": "ce_type_live", "kol": "ce_type_kol",
    "fission": "ce_type_fission", "referral": "ce_type_referral", "push": "ce_type_push",
    "points": "ce_type_points", "other": "ce_type_other",
    "randomized": "ce_method_randomized", "counterfactual": "ce_method_counterfactual",
    "diff_in_diff": "ce_method_diff_in_diff", "none": "ce_method_none",
    "conversion": "ce_metric_conversion", "revenue_per_user": "ce_metric_revenue_per_user",
    "orders_per_user": "ce_metric_orders_per_user", "aov": "ce_metric_aov",
    "refund_rate": "ce_metric_refund_rate", "unfollow_rate": "ce_metric_unfollow_rate",
    "orders": "ce_metric_orders", "gmv": "ce_metric_gmv", "new_users": "ce_metric_new_users",
    "visitors": "ce_metric_visitors", "new_visitors": "ce_metric_new_visitors",
    "running": "ce_status_running", "ended": "ce_status_ended",
    "during": "ce_phase_during", "after": "ce_phase_after",
    "campaign": "ce_group_campaign", "organic": "ce_group_organic",
    "control": "ce_variant_control", "treatment": "ce_variant_treatment",
    "coupon_claim": "ce_event_coupon_claim", "live_view": "ce_event_live_view",
}
# The unit of each metric a lift can be measured in.
METRIC_UNIT = {"conversion": "fraction", "revenue_per_user": "CNY", "orders_per_user": "ratio",
               "aov": "CNY", "refund_rate": "fraction", "unfollow_rate": "fraction",
               "orders": "orders", "gmv": "CNY", "new_users": "users", "visitors": "users",
               "new_visitors": "users"}
_LEVEL_FORMAT = {"ratio": "decimal3"}  # per-user ratios read with three decimals
_CHANGE_FORMAT = {"fraction": "points", "CNY": "signed_CNY", "ratio": "signed_decimal3"}


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def word(value: str, tx: Text) -> str:
    """A campaign word (type, method, metric, variant, ...) or another data value."""
    return tx(WORDS[value]) if value in WORDS else tx.data(value)


def level(x: float | None, metric: str, tx: Text) -> str:
    """A metric's value in its unit (counts rounded)."""
    unit = METRIC_UNIT.get(metric, "count")
    if _missing(x):
        return fmt.MISSING
    if unit in _LEVEL_FORMAT:
        return fmt.formatted(x, _LEVEL_FORMAT[unit], tx.language)
    return fmt.value(round(x) if unit in ("orders", "users", "count") else x, unit, tx.language)


def change(x: float | None, metric: str, tx: Text) -> str:
    """A signed difference in the metric's unit: points for rates, ¥ for money."""
    unit = METRIC_UNIT.get(metric, "count")
    return fmt.formatted(x, _CHANGE_FORMAT.get(unit, "signed_count"), tx.language)


def interval(low: float | None, high: float | None, metric: str, tx: Text) -> str:
    """A 95% interval in the metric's unit: '+0.5 to +3.7 pts'; money and counts likewise."""
    if _missing(low) or _missing(high):
        return fmt.MISSING
    if METRIC_UNIT.get(metric) == "fraction":
        return tx("ce_range_points", low=low, high=high)
    return tx("ce_range", low=change(low, metric, tx), high=change(high, metric, tx))


def roi(e: Evaluation, gross_margin: float, tx: Text) -> str:
    """Incremental ROI with its 95% interval (from the incremental-GMV interval); 'not determined'
    when the interval holds break-even (ROI 0), e.g. 'not determined (95% interval -138% to +46%
    straddles break-even)'. The missing mark without incremental GMV or cost."""
    _, value = e.roas_roi(gross_margin)
    low, high = e.roi_interval(gross_margin)
    if _missing(value) or _missing(low) or _missing(high):
        return fmt.relative_change(value)
    if low <= 0 <= high:
        return tx("ce_roi_undetermined", low=low, high=high)
    return tx("ce_roi_value", roi=value, low=low, high=high)


def untrusted(value: str, tx: Text) -> str:
    """A figure of a test whose split is broken: '+1.2 pts (not trustworthy until the split is
    explained ...)'."""
    return tx("ce_untrusted_value", value=value, untrusted=tx("ce_untrusted"))


def p_value(p: float | None, tx: Text) -> str:
    """A p-value for a table cell: '0.023', '<0.001'."""
    return fmt.formatted(p, "p_value", tx.language)


def dates(start: date, end: date | None, tx: Text) -> str:
    """A campaign's days: '17–20 Nov'; an open end reads 'from 17 Nov' (catalog ce_dates_open)."""
    if end is None:
        return tx("ce_dates_open", start=start)
    return fmt.day_span(start, end, tx.language)


def campaign_title(e: Evaluation, tx: Text) -> str:
    """'New-user coupon test (coupon, 9–29 Nov, running)': name, type, days and status."""
    c = e.campaign
    return tx("ce_campaign_title", name=c.name, type=word(c.type, tx), dates=dates(c.start, c.end, tx),
              status=word("running" if e.running else "ended", tx))


def reason(e: Evaluation, tx: Text) -> str:
    """Why no method (or not the preferred one) could be used."""
    return fmt.MISSING if e.reason is None else tx(e.reason.key, **e.reason.values)
