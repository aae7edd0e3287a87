"""Every module that defines tables, imported so they all register on `SQLModel.metadata`
(Alembic's env.py and the schema tests import this one module)."""

from __future__ import annotations

import stripe_p21.db.tables
import stripe_p21.intelligence.mapping_suggest.tables
import stripe_p21.intelligence.matching.tables
import stripe_p21.pipeline.tables
import stripe_p21.review.tables  # noqa: F401
