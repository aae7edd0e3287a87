"""Bearer tokens the sandbox issues: lifetime, single-session mode and forced invalidation.

Each token call opens a "session" as on real P21, and the count is shown in ``/sandbox/state`` so
tests can prove the client reuses one token.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass


@dataclass
class Session:
    token: str
    user: str
    expires_at: float
    session_id: str


class TokenRegistry:
    """Live tokens; validation is one dictionary lookup."""

    def __init__(self, lifetime: float, *, single_session: bool = False) -> None:
        self.lifetime = lifetime
        self.single_session = single_session
        self._sessions: dict[str, Session] = {}
        self.issued = 0

    def issue(self, user: str) -> Session:
        if self.single_session:
            self._sessions.clear()
        self.issued += 1
        session = Session(
            token=secrets.token_urlsafe(32),
            user=user,
            expires_at=time.monotonic() + self.lifetime,
            session_id=secrets.token_hex(8),
        )
        self._sessions[session.token] = session
        return session

    def check(self, token: str) -> Session | None:
        session = self._sessions.get(token)
        if session is None:
            return None
        if time.monotonic() >= session.expires_at:
            del self._sessions[token]
            return None
        return session

    def invalidate_all(self) -> int:
        """Forget every token (a server restart or an admin kicking sessions)."""
        count = len(self._sessions)
        self._sessions.clear()
        return count

    @property
    def live(self) -> int:
        now = time.monotonic()
        return sum(1 for s in self._sessions.values() if s.expires_at > now)
