"""Stripe times (Unix seconds, UTC) as P21 dates: the calendar day in the company's time zone.

A card charge at 02:30 UTC on 1 November is a 31 October order for a Chicago company; P21 wants
that day, written in its date format (ISO by default)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utc_datetime(unix_seconds: int) -> datetime:
    """A Stripe `created` as an aware UTC datetime."""
    if isinstance(unix_seconds, bool) or not isinstance(unix_seconds, int):
        raise TypeError(f"Stripe times are integer Unix seconds, not {type(unix_seconds).__name__}")
    return datetime.fromtimestamp(unix_seconds, UTC)


def company_day(unix_seconds: int, zone: ZoneInfo) -> date:
    """The calendar day `unix_seconds` falls on in the company's time zone."""
    return utc_datetime(unix_seconds).astimezone(zone).date()


def p21_date_text(day: date, date_format: str = "%Y-%m-%d") -> str:
    """A day as P21 writes it (the mapping's `company.date_format`)."""
    return day.strftime(date_format)
