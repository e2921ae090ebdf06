"""The dashboard inside the edge's FastAPI app: `install(app)` adds its routes under
`/dashboard` (sign-in, sign-out and every view module of edge.dashboard.views), its static
files (vendored htmx and the style sheet, no CDN), the answers to its own errors, and the
security headers of its pages. None of it is in the API's OpenAPI document."""

from __future__ import annotations

import hmac
import importlib
import pkgutil
import secrets
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edge.domain.staff import StaffLocked, WrongPin
from edge.service import dashboard_auth

from . import views
from .auth import (
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    CsrfDep,
    CsrfRefused,
    ManagerDep,
    SignInRequired,
    same_origin,
    set_cookie,
)
from .web import STATIC, error_page, render, runtime_of

PREFIX = "/dashboard"

router = APIRouter()


def _safe_next(path: str | None) -> str:
    """Where to go after sign-in: a dashboard path only (no open redirect)."""
    if path and path.startswith(PREFIX + "/") and "//" not in path and "\\" not in path:
        return path
    return PREFIX + "/today"


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
async def home() -> Response:
    return RedirectResponse(PREFIX + "/today", status_code=303)


def _sign_in_page(
    request: Request, *, message: str = "", next_path: str = "", status_code: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "sign_in.html",
        {"message": message, "next": _safe_next(next_path), "sign_in_token": token},
        manager=None, status_code=status_code,
    )  # fmt: skip
    set_cookie(response, request, SIGN_IN_COOKIE, token)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
async def sign_in_page(request: Request, next: str = "") -> Response:  # noqa: A002
    """The sign-in form (staff code and PIN)."""
    return _sign_in_page(request, next_path=next)


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(
    request: Request,
    staff_code: Annotated[str, Form(max_length=12)] = "",
    pin: Annotated[str, Form(max_length=8)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=500)] = "",  # noqa: A002
) -> Response:
    """Sign in a supervisor or manager. A wrong PIN counts towards the lockout as at a
    till; the form says what went wrong and keeps nothing typed but the staff code."""
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token, expected) or not same_origin(request):
        return _sign_in_page(
            request, message="The sign-in form had expired: please try again.",
            next_path=next, status_code=403,
        )  # fmt: skip
    if not (staff_code.isdigit() and 3 <= len(staff_code) <= 12) or not (
        pin.isdigit() and 4 <= len(pin) <= 8
    ):
        return _sign_in_page(
            request, message="Type your staff code and your PIN (4 to 8 digits).",
            next_path=next, status_code=422,
        )  # fmt: skip
    runtime = runtime_of(request)
    identity = runtime.identity
    if identity is None:
        return error_page(
            request, 409, "Not enrolled", "This edge node is not enrolled with HQ yet.",
            manager=None,
        )  # fmt: skip
    try:
        opened = await runtime.write(
            lambda uow: dashboard_auth.sign_in(staff_code, pin, uow, identity=identity)
        )
    except WrongPin:
        return _sign_in_page(
            request, message="Wrong staff code or PIN. Too many tries lock the staff member.",
            next_path=next, status_code=401,
        )  # fmt: skip
    except StaffLocked as locked:
        until = locked.until.astimezone(identity.zone).strftime("%H:%M")
        return _sign_in_page(
            request,
            message=f"Staff {staff_code} is locked until {until} after too many wrong PINs: "
            "a manager can unlock them.",
            next_path=next, status_code=409,
        )  # fmt: skip
    except dashboard_auth.DashboardNotAllowed:
        return _sign_in_page(
            request, message="The dashboard is for supervisors and managers.",
            next_path=next, status_code=403,
        )  # fmt: skip
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_cookie(response, request, SESSION_COOKIE, opened.token)
    response.delete_cookie(SIGN_IN_COOKIE, path=PREFIX)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, manager: ManagerDep, _: CsrfDep) -> Response:
    """End the session (audited) and forget the cookie."""
    runtime = runtime_of(request)
    identity = runtime.identity
    assert identity is not None
    await runtime.write(lambda uow: dashboard_auth.sign_out(manager, uow, identity=identity))
    response = RedirectResponse(PREFIX + "/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = f"{PREFIX}/sign-in?next={exc.next_path}"
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    if request.method == "GET":
        return RedirectResponse(target, status_code=303)
    return _sign_in_page(request, message=exc.message, next_path=exc.next_path, status_code=401)


async def _csrf_refused(request: Request, _: Exception) -> Response:
    return error_page(
        request, 403, "Form refused",
        "This form was out of date or came from another site, so nothing was changed. "
        "Go back, reload the page and try again.",
        manager=None,
    )  # fmt: skip


_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; "
     b"style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; "
     b"form-action 'self'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]  # fmt: skip


class DashboardHeaders:
    """Security headers on every /dashboard response; pages (not static files) are never
    cached, so a page of a signed-out session is not shown again from the cache."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        static = path.startswith(PREFIX + "/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + _HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def view_routers() -> list[APIRouter]:
    """The `router` of every module of edge.dashboard.views, in name order."""
    found = []
    for module in sorted(pkgutil.iter_modules(views.__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{views.__name__}.{module.name}")
        view_router = getattr(loaded, "router", None)
        if isinstance(view_router, APIRouter):
            found.append(view_router)
    return found


def install(app: FastAPI) -> None:
    """Serve the dashboard from `app` (the edge's API app) under /dashboard."""
    for dashboard_router in (router, *view_routers()):
        for route in dashboard_router.routes:
            if isinstance(route, APIRoute):
                route.include_in_schema = False  # pages, not the API: not in its document
        app.include_router(dashboard_router, prefix=PREFIX, include_in_schema=False)
    app.mount(PREFIX + "/static", StaticFiles(directory=str(STATIC)), name="dashboard-static")
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(CsrfRefused, _csrf_refused)
    app.add_middleware(DashboardHeaders)
