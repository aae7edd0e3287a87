"""Read the service's inbox straight from its SQLite file (the tests' view of what was stored)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path


def stored_ids(db: Path) -> Counter[str]:
    """Event ids in `stripe_event`, with how many rows each has (always 1 if all is well)."""
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id FROM stripe_event").fetchall()
    connection.close()
    return Counter(str(row[0]) for row in rows)


def stored_types(db: Path) -> set[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT DISTINCT type FROM stripe_event").fetchall()
    connection.close()
    return {str(row[0]) for row in rows}
