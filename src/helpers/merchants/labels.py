"""How merchants, tiers and statuses are named in the report: a merchant by its id (the business's
own code), with its name only when `show_merchant_names` is set; kinds as people say them
(`core.vocabulary`). Ids and names are data text, passed as given: the page escapes them."""

from __future__ import annotations

from datetime import date

import pandas as pd

from helpers.render.text import Text

TIER_TEXT = {"head": "mc_tier_head", "waist": "mc_tier_waist", "tail": "mc_tier_tail", "none": "mc_tier_none"}
STATUS_TEXT = {"new": "mc_status_new", "reactivated": "mc_status_reactivated", "active": "mc_status_active",
               "quiet": "mc_status_quiet", "dormant": "mc_status_dormant", "churned": "mc_status_churned"}
NAME_SEPARATOR = " · "


class Names:
    """Merchant labels and kinds, from the merchants table when the source has one."""

    def __init__(self, info: pd.DataFrame | None, show_names: bool):
        frame = info.set_index("merchant_id") if info is not None else pd.DataFrame()
        self._names = frame["name"].dropna().astype(str).to_dict() if show_names and "name" in frame else {}
        self._kinds = frame["kind"].dropna().astype(str).to_dict() if "kind" in frame else {}
        self.has_kinds = bool(self._kinds)

    def label(self, merchant_id: object) -> str:
        """'M007', or 'M007 · name' with show_merchant_names and a name."""
        text = str(merchant_id)
        name = self._names.get(text)
        return f"{text}{NAME_SEPARATOR}{name}" if name else text

    def kind(self, merchant_id: object, tx: Text) -> str:
        """The merchant's kind in the report language ('' when not known)."""
        kind = self._kinds.get(str(merchant_id))
        return tx.data(kind) if kind else ""


def tier(value: object, tx: Text) -> str:
    return tx(TIER_TEXT.get(str(value), "mc_tier_none"))


def status(value: object, tx: Text) -> str:
    return tx(STATUS_TEXT[str(value)])


def month_label(d: date, tx: Text) -> str:
    """A calendar month: '2026年10月' / 'Oct 2026'."""
    return tx("mc_month", year=d.year, month=tx("mc_month_names").split(",")[d.month - 1])
