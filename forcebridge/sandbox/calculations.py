"""What Salesforce calculates for an Opportunity from its stage, amount and close date, for
an Event from when it starts and how long it lasts, and for a Task from its status.

They run on every create and update (`records.derived`) over the record as it will be stored,
told which fields the write gave: a value the client may set itself (an Opportunity's
`Probability`, an Event's `EndDateTime`) is kept when given, and follows what it depends on
when that changes without it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from forcebridge.sandbox.fieldtypes import format_datetime, parse_datetime

_DAY_MINUTES = 24 * 60
_CENTS = Decimal("0.01")
"""ExpectedRevenue's scale: a currency(18, 2)."""


@dataclass(frozen=True)
class Stage:
    """One OpportunityStage: what an Opportunity at that stage is."""

    probability: int
    forecast: str
    """Its ForecastCategoryName."""
    closed: bool = False
    won: bool = False


#: The default org's stages: Salesforce's standard sales process.
STAGES: Mapping[str, Stage] = {
    "Prospecting": Stage(10, "Pipeline"),
    "Qualification": Stage(10, "Pipeline"),
    "Needs Analysis": Stage(20, "Pipeline"),
    "Value Proposition": Stage(50, "Pipeline"),
    "Id. Decision Makers": Stage(60, "Pipeline"),
    "Perception Analysis": Stage(70, "Pipeline"),
    "Proposal/Price Quote": Stage(75, "Pipeline"),
    "Negotiation/Review": Stage(90, "Pipeline"),
    "Closed Won": Stage(100, "Closed", closed=True, won=True),
    "Closed Lost": Stage(0, "Omitted", closed=True),
}
#: ForecastCategoryName -> the read-only ForecastCategory it stands for.
FORECAST_CATEGORIES: Mapping[str, str] = {
    "Omitted": "Omitted",
    "Pipeline": "Pipeline",
    "Best Case": "BestCase",
    "Commit": "Forecast",
    "Closed": "Closed",
}


def opportunity(row: Mapping[str, Any], given: Collection[str]) -> dict[str, Any]:
    """The stage's facts (a Probability and ForecastCategoryName the write did not give come
    from a new stage), ExpectedRevenue, and the fiscal period of CloseDate (the fiscal year is
    the calendar year)."""
    values: dict[str, Any] = {}
    stage = STAGES.get(row.get("StageName") or "")
    if stage is not None:
        values |= {"IsClosed": int(stage.closed), "IsWon": int(stage.won)}
        restaged = "StageName" in given
        for name, value in (
            ("Probability", Decimal(stage.probability)),
            ("ForecastCategoryName", stage.forecast),
        ):
            if row.get(name) is None or (restaged and name not in given):
                values[name] = value
    merged = {**row, **values}
    category = FORECAST_CATEGORIES.get(merged.get("ForecastCategoryName") or "")
    if category is not None:
        values["ForecastCategory"] = category
    amount, probability = merged.get("Amount"), merged.get("Probability")
    revenue = None
    if amount is not None and probability is not None:
        revenue = (amount * probability / 100).quantize(_CENTS, rounding=ROUND_HALF_UP)
    values["ExpectedRevenue"] = revenue
    close = merged.get("CloseDate")
    year, quarter = None, None
    if close is not None:
        day = dt.date.fromisoformat(close)
        year, quarter = day.year, (day.month - 1) // 3 + 1
    values |= {
        "FiscalYear": year,
        "FiscalQuarter": quarter,
        "Fiscal": f"{year} {quarter}" if year is not None else None,
    }
    return values


def task(row: Mapping[str, Any]) -> dict[str, Any]:
    """A Task's `IsClosed` (its status is the default org's closed one, Completed),
    `IsHighPriority`, and `CompletedDateTime` (API 46.0+): when it was saved closed, that is
    the `LastModifiedDate` of the save that closed it, kept while it stays closed and cleared
    when it is reopened."""
    closed = row.get("Status") == "Completed"
    completed = (row.get("CompletedDateTime") or row.get("LastModifiedDate")) if closed else None
    return {
        "IsClosed": int(closed),
        "IsHighPriority": int(row.get("Priority") == "High"),
        "CompletedDateTime": completed,
    }


def event(row: Mapping[str, Any], given: Collection[str]) -> dict[str, Any]:
    """An Event's start (`ActivityDateTime` and `StartDateTime`, kept equal), duration and end
    (`EndDateTime` is start + `DurationInMinutes`, or the duration follows an end given
    alone), and the dates of both (`ActivityDate`, `EndDate`, taken in UTC). An all-day event
    starts at 00:00 UTC of its `ActivityDate` and lasts whole days (one by default); its
    `EndDateTime` is 00:00 UTC of its last day."""
    start_text = _chosen(row, given, "ActivityDateTime", "StartDateTime")
    start = parse_datetime(start_text) if start_text is not None else None
    end_text = row.get("EndDateTime")
    end = parse_datetime(end_text) if end_text is not None else None
    by_end = end is not None and (
        row.get("DurationInMinutes") is None
        or ("EndDateTime" in given and "DurationInMinutes" not in given)
    )
    duration: int | None
    if row.get("IsAllDayEvent"):
        day_text = row.get("ActivityDate")
        if day_text is None or ("ActivityDate" not in given and start is not None):
            day_text = start.date().isoformat() if start is not None else None
        if day_text is None:
            return {}
        day = dt.date.fromisoformat(day_text)
        start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        minutes = row.get("DurationInMinutes")
        if by_end and end is not None:
            days = (end.date() - day).days + 1
        else:
            days = math.ceil(minutes / _DAY_MINUTES) if minutes is not None else 1
        days = max(days, 1)
        duration = days * _DAY_MINUTES
        end = start + dt.timedelta(days=days - 1)
    else:
        if start is None:
            return {}
        if by_end and end is not None:
            duration = int((end - start).total_seconds() // 60)
        else:
            duration = row.get("DurationInMinutes")
        end = start + dt.timedelta(minutes=duration) if duration is not None else None
    return {
        "ActivityDateTime": format_datetime(start),
        "StartDateTime": format_datetime(start),
        "ActivityDate": start.date().isoformat(),
        "DurationInMinutes": duration,
        "EndDateTime": format_datetime(end) if end is not None else None,
        "EndDate": end.date().isoformat() if end is not None else None,
    }


def _chosen(row: Mapping[str, Any], given: Collection[str], first: str, second: str) -> Any:
    """The value of two fields that mean the same: the one the write gave alone, else the
    first when set."""
    if second in given and first not in given:
        return row.get(second)
    return row.get(first) if row.get(first) is not None else row.get(second)
