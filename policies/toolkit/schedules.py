"""Schedule expressions as EventBridge rules and EventBridge Scheduler accept them."""

from __future__ import annotations

import re

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$")
_NUMBERS = re.compile(r"\d+")


def _cron_problem(fields: list[str]) -> str | None:
    if len(fields) != 6:
        return (
            f"has {len(fields)} cron fields; AWS cron takes 6 "
            "(minutes hours day-of-month month day-of-week year)"
        )
    minutes, hours, day_of_month, _month, day_of_week, _year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        return "must use '?' in exactly one of day-of-month and day-of-week"
    if any(int(n) > 59 for n in _NUMBERS.findall(minutes)):
        return "has a minutes value above 59"
    if any(int(n) > 23 for n in _NUMBERS.findall(hours)):
        return "has an hours value above 23"
    return None


def schedule_problem(expression: str, *, allow_at: bool) -> str | None:
    if allow_at and _AT.match(expression):
        return None
    if rate := _RATE.match(expression):
        value, unit = int(rate[1]), rate[2]
        if value == 0:
            return f"'{expression}' has a rate of 0"
        if (value == 1) == unit.endswith("s"):
            wanted = unit.rstrip("s") if value == 1 else unit + "s"
            return f"'{expression}' must say '{value} {wanted}' (singular for 1, plural above)"
        return None
    if cron := _CRON.match(expression):
        problem = _cron_problem(cron[1].split())
        return f"'{expression}' {problem}" if problem else None
    kinds = "at(...), rate(...) or cron(...)" if allow_at else "rate(...) or cron(...)"
    return f"'{expression}' is not {kinds}"
