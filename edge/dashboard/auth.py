"""The dashboard's session cookie and CSRF checks, as FastAPI dependencies.

- `ManagerDep`: the signed-in supervisor or manager (an `Acting` at till "dashboard"). No
  live session: `SignInRequired`, which the app answers with a redirect to the sign-in page
  (303; for an htmx request, `HX-Redirect`).
- `CsrfDep`: on every POST. The form field `csrf_token` (or the header `X-CSRF-Token`) must
  be the session's token (edge.service.dashboard_auth.csrf_token), and an `Origin` header,
  when the browser sends one, must be this server. Otherwise `CsrfRefused` (403).

The session cookie is HttpOnly, SameSite=Strict, scoped to /dashboard (Secure when the
setting `dashboard_secure_cookie` is on); the server keeps only its SHA-256.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response

from edge.domain.audit import Acting
from edge.errors import NotEnrolled
from edge.service import dashboard_auth
from edge.service.staff import NotSignedIn

from .web import runtime_of

SESSION_COOKIE = "vectis_dashboard"
SIGN_IN_COOKIE = "vectis_dashboard_sign_in"
COOKIE_PATH = "/dashboard"


class SignInRequired(Exception):
    """No live dashboard session: go to the sign-in page (`message` says why)."""

    def __init__(self, message: str, next_path: str) -> None:
        super().__init__(message)
        self.message = message
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form without the session's CSRF token, or posted from another site."""


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    """A dashboard cookie: HttpOnly, SameSite=Strict, path /dashboard, a browser session's
    life (the server ends the session itself)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        path=COOKIE_PATH,
        secure=runtime_of(request).settings.dashboard_secure_cookie,
    )


async def get_manager(request: Request) -> Acting:
    """The dashboard session of the request (see the module's docstring)."""
    runtime = runtime_of(request)
    identity = runtime.identity
    if identity is None:
        raise NotEnrolled()
    token = request.cookies.get(SESSION_COOKIE)
    settings = runtime.settings
    idle = timedelta(minutes=settings.dashboard_idle_minutes)
    max_age = timedelta(hours=settings.dashboard_session_hours)
    try:
        acting = await runtime.write(
            lambda uow: dashboard_auth.current(
                token, uow, identity=identity, idle=idle, max_age=max_age
            ),
            durable=False,
        )
    except NotSignedIn as refused:
        message = "" if token is None else str(refused)
        raise SignInRequired(message, request.url.path) from None
    assert token is not None
    request.state.csrf_token = dashboard_auth.csrf_token(token)
    return acting


ManagerDep = Annotated[Acting, Depends(get_manager)]


def same_origin(request: Request) -> bool:
    """Whether the request's Origin (when sent) names this server's host and port."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def check_csrf(request: Request, manager: ManagerDep) -> None:
    """Raises CsrfRefused unless the form (or header) carries the session's CSRF token and
    the request comes from this server's own pages."""
    del manager  # the session must be live first (and sets the expected token)
    expected: str = request.state.csrf_token
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given, expected) or not same_origin(request):
        raise CsrfRefused()


CsrfDep = Annotated[None, Depends(check_csrf)]
