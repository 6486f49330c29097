"""Who is asking, and whether the request may do what it asks.

- Access: a per-unit (or office) token, random, stored hashed, revocable (:mod:`portal.store`).
  The browser signs in once with it; the session lives on the server (the ``sessions`` table)
  and the cookie, signed with the portal's secret (Starlette's ``SessionMiddleware``), carries
  only its random id. Signing out or revoking the token ends the session at once: a copied
  cookie opens nothing afterwards. Programs send the token as a bearer header instead.
- Forms carry a CSRF token kept in the session and compared in constant time.
- Limits: uploads per unit per hour and failed sign-ins per client address, both counted in
  the state database, so they hold across restarts and across the worker processes.

Single sign-on plugs in at :func:`identity`: an SSO callback that has verified the province's
identity provider starts a session with :func:`sign_in` exactly as the token sign-in does; every
page asks :func:`identity` and nothing else.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request

from portal.store import AccessToken, PortalStore

CSRF_FIELD = "csrf_token"
SESSION_ID = "sid"
SESSION_CSRF = "csrf"
MAX_FAILED_SIGN_INS = 10
FAILED_SIGN_IN_WINDOW = 15 * 60.0


@dataclass(frozen=True)
class Identity:
    """The signed-in party: a unit's clerk or the provincial office."""

    token_id: str
    role: str  # unit | office
    unit_id: str | None
    label: str

    @property
    def actor(self) -> str:
        return f"token:{self.token_id}"

    @classmethod
    def of(cls, token: AccessToken) -> Identity:
        return cls(token.token_id, token.role, token.unit_id, token.label)


class NotSignedIn(Exception):
    """The page needs a signed-in party; the app answers with a redirect to the sign-in page."""


def identity(request: Request, store: PortalStore) -> Identity | None:
    """The session's party, while the server-side session lives and its token is active."""
    session_id = request.session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    token = store.session_token(session_id)
    if token is None:
        request.session.clear()
        return None
    return Identity.of(token)


def bearer_identity(request: Request, store: PortalStore) -> Identity:
    """The party of an ``Authorization: Bearer`` request; 401 when the token is unknown/revoked."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    record = store.verify_token(token.strip()) if scheme.lower() == "bearer" else None
    if record is None:
        raise HTTPException(
            401,
            "Mã truy cập không hợp lệ hoặc đã bị thu hồi / invalid or revoked access token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Identity.of(record)


def sign_in(request: Request, token: AccessToken, store: PortalStore, hours: float) -> None:
    """Start a fresh server-side session for ``token`` (a new CSRF token too: no fixation)."""
    request.session.clear()
    request.session[SESSION_ID] = store.start_session(token.token_id, hours)
    request.session[SESSION_CSRF] = secrets.token_urlsafe(32)


def sign_out(request: Request, store: PortalStore) -> None:
    """End the session on the server, then forget the cookie."""
    session_id = request.session.get(SESSION_ID)
    if isinstance(session_id, str):
        store.end_session(session_id)
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one too)."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    """403 unless the form's CSRF token is the session's."""
    expected = request.session.get(SESSION_CSRF)
    if (
        not isinstance(expected, str)
        or not submitted
        or not secrets.compare_digest(expected, submitted)
    ):
        raise HTTPException(
            403,
            "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã CSRF). Tải lại trang rồi gửi lại.",
        )


class SignInThrottle:
    """Failed sign-ins per client address within a sliding window, counted in the state
    database: every worker process serving the portal sees the same count."""

    def __init__(
        self,
        store: PortalStore,
        limit: int = MAX_FAILED_SIGN_INS,
        window: float = FAILED_SIGN_IN_WINDOW,
    ) -> None:
        self.store = store
        self.limit = limit
        self.window = window

    def blocked(self, client: str) -> bool:
        return self.store.failed_sign_ins(client, time.time() - self.window) >= self.limit

    def failed(self, client: str) -> None:
        now = time.time()
        self.store.sign_in_failed(client, now, forget_before=now - self.window)


def take_upload_slot(store: PortalStore, unit_id: str, per_hour: int) -> str:
    """A slot for one more upload of the unit; 429 when it has sent, or is sending,
    ``per_hour`` files in the last hour."""
    slot = store.take_upload_slot(unit_id, per_hour)
    if slot is None:
        raise HTTPException(
            429,
            f"Đơn vị đã gửi {per_hour} tệp trong một giờ qua: hãy chờ rồi gửi lại. "
            f"/ The unit sent {per_hour} files in the last hour; try again later.",
            headers={"Retry-After": "600"},
        )
    return slot
