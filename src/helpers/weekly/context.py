"""What else happened in the report week and the week before: calendar events (public holidays,
调休, shopping festivals and their pre-sales) and campaigns.

A week-on-week change against a week that held 双11 says more about 双11 than about this week:
the summary names these events in its headline sentence, marks them on its charts, and does not
colour a KPI red or green on week on week alone when either week held one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from helpers.core import calendar
from helpers.core.periods import Period
from helpers.core.warehouse import Warehouse, day_number, day_to_date
from helpers.render import fmt
from helpers.render.text import Text

# Calendar columns (core.calendar.regressors) a manager would name; the catalog key of each.
CALENDAR_TEXT = {"holiday": "ws_event_holiday", "spring_festival": "ws_event_spring_festival",
                 "makeup_workday": "ws_event_makeup"}


@dataclass(frozen=True)
class Event:
    """A run of days of one calendar event or campaign inside one of the two weeks."""

    kind: str  # calendar | campaign
    key: str  # calendar column (holiday, festival_double_11, presale_618, ...) or the campaign's name
    start: date
    end: date
    week: str  # this | previous

    def name(self, tx: Text) -> str:
        """The event as a manager says it: '双11 当天', '调休上班日', '活动：直播周'."""
        if self.kind == "campaign":
            return tx("ws_event_campaign", name=tx.data(self.key))
        if self.key in CALENDAR_TEXT:
            return tx(CALENDAR_TEXT[self.key])
        kind, _, festival = self.key.partition("_")
        return tx("ws_event_presale" if kind == "presale" else "ws_event_festival",
                  festival=tx.festival(festival))

    def json(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.key, "week": self.week,
                "start": self.start.isoformat(), "end": self.end.isoformat()}


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days grouped into (first, last) spans."""
    spans: list[tuple[date, date]] = []
    for d in sorted(days):
        if spans and d == spans[-1][1] + timedelta(days=1):
            spans[-1] = (spans[-1][0], d)
        else:
            spans.append((d, d))
    return spans


def calendar_events(period: Period) -> list[Event]:
    """Calendar events of the report week and the week before, oldest first."""
    first = period.previous.start
    flags = calendar.regressors(first, period.end)
    out = []
    for column in flags.columns:
        days = [ts.date() for ts in flags.index[flags[column] > 0]]
        for week, p in (("previous", period.previous), ("this", period)):
            inside = [d for d in days if p.start <= d <= p.end]
            out += [Event("calendar", column, a, b, week) for a, b in _runs(inside)]
    return sorted(out, key=lambda e: (e.start, e.key))


def campaign_events(wh: Warehouse, period: Period) -> list[Event]:
    """Campaigns running on at least one day of each of the two weeks (clipped to the week)."""
    if not wh.has("campaigns"):
        return []
    frame = wh.query("""
        SELECT name, campaign_id, start_day, end_day FROM campaigns
        WHERE start_day <= :hi AND (end_day IS NULL OR end_day >= :lo)
        ORDER BY start_day, campaign_id""",
                     {"lo": day_number(period.previous.start), "hi": day_number(period.end)})
    out = []
    for r in frame.itertuples(index=False):
        name = str(r.name) if isinstance(r.name, str) and r.name.strip() else str(r.campaign_id)
        start = day_to_date(int(r.start_day))
        end = period.end if r.end_day is None or r.end_day != r.end_day else day_to_date(int(r.end_day))
        for week, p in (("previous", period.previous), ("this", period)):
            a, b = max(start, p.start), min(end, p.end)
            if a <= b:
                out.append(Event("campaign", name, a, b, week))
    return out


def whole_week(e: Event) -> bool:
    """A campaign on every day of its week: shading all seven days would mark nothing."""
    return e.kind == "campaign" and (e.end - e.start).days >= 6


def week_events(wh: Warehouse, period: Period) -> list[Event]:
    """Calendar events and campaigns of the report week and the week before."""
    return calendar_events(period) + campaign_events(wh, period)


def named(events: list[Event], week: str, tx: Text) -> str:
    """'双11 当天（11月11日）、双11 预售期（10月31日–11月10日）' for one of the two weeks; '' if none."""
    parts = []
    for e in (e for e in events if e.week == week):
        when = fmt.day_month(e.start, tx.language) if e.start == e.end else \
            fmt.day_span(e.start, e.end, tx.language)
        parts.append(tx("ws_event_when", event=e.name(tx), when=when))
    return tx("ws_list_separator").join(dict.fromkeys(parts))


def short_names(events: list[Event], week: str, tx: Text) -> str:
    """The events of one week named without dates, for the one-sentence verdict: a campaign that
    runs through both weeks is named for this week only."""
    ongoing = {e.key for e in events if e.kind == "campaign" and e.week == "this"}
    names = [e.name(tx) for e in events if e.week == week
             and not (week == "previous" and e.kind == "campaign" and e.key in ongoing)]
    return tx("ws_list_separator").join(dict.fromkeys(names))


def lines(events: list[Event], tx: Text) -> list[str]:
    """One line per week that held events: '上周有双11（11月11日）、…' (this week first)."""
    out = []
    for week, key in (("this", "ws_context_this"), ("previous", "ws_context_previous")):
        names = named(events, week, tx)
        if names:
            text = tx(key, events=names)
            out.append(tx("ws_sentence", text=text[:1].upper() + text[1:]))
    return out
