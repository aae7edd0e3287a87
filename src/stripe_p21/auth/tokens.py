"""Create and check API tokens. The plain token is shown once; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from stripe_p21.db.tables import ApiToken, TokenRole, utcnow

PREFIX = "sp21_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_token(
    sessions: async_sessionmaker[AsyncSession], *, name: str, role: TokenRole
) -> str:
    """Store a new token for `name` with `role` and return it (the only time it is visible)."""
    token = PREFIX + secrets.token_urlsafe(32)
    async with sessions() as session, session.begin():
        session.add(
            ApiToken(name=name, role=role.value, token_hash=hash_token(token), created_at=utcnow())
        )
    return token


async def authenticate(sessions: async_sessionmaker[AsyncSession], token: str) -> ApiToken | None:
    """The live token row for `token`, or None."""
    if not token.startswith(PREFIX):
        return None
    async with sessions() as session:
        row = (
            await session.execute(
                select(ApiToken).where(ApiToken.token_hash == hash_token(token))  # type: ignore[arg-type]
            )
        ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return row
