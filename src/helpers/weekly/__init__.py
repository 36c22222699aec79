"""The weekly summary: the one page a manager reads (KPIs, week on week, targets, trend)."""
