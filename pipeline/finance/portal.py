"""The finance portal (`sla-report serve`): months, statements, downloads, approve and issue.

A small Starlette app over the published warehouse (read-only) and the ledger; the actions are the
CLI's (`pipeline.finance.actions`), so the rules are the same.

Security, in one place:
- **Sessions** live in this process (a random 256-bit token → user); the cookie `sla_session` is
  `HttpOnly`, `SameSite=Strict`, `Path=/` (and `Secure` when served over HTTPS). Without a session
  every request is refused before routing: a page gets a 303 to `/login`, anything else a 401.
- **CSRF**: every form carries the session's token in `csrf_token`; a POST without the right one gets
  403. The login form uses a double-submit token (cookie `sla_login_csrf` = form field).
- **Sign-in throttling**: after 10 failed sign-ins for one user name within 15 minutes, further
  attempts for that name get 429 for 15 minutes (also with the right password).
- **Downloads** are looked up, never built from the URL: the file name must match
  `<customer_id>.pdf` / `<customer_id>.v<N>.pdf`, and the path served is the one the warehouse's
  `statements` table records for that customer, month and version. The summary PDF and
  `statements.csv` are the fixed names beside the month's current statements as the warehouse lists
  them; `credit_notes.csv` is generated from the ledger. Anything else — `..`, `%2e%2e`, absolute
  paths, unknown months or customers — is 404. Files go out as `Content-Disposition: attachment`,
  and every download is a `download` event in the ledger.
"""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

import jinja2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from pipeline.finance import actions
from pipeline.finance.credit_notes import month_credit_notes, render
from pipeline.finance.errors import FinanceError
from pipeline.finance.ledger import Event, Ledger, iso, utc_now
from pipeline.finance.status import StatementState, read_versions, statement_states
from pipeline.finance.users import User, authenticate, load_users
from pipeline.money import minor_unit, money_string, round_half_up
from pipeline.months import parse_month
from pipeline.settings import TEMPLATES_DIR, Settings
from pipeline.statements import figures
from pipeline.statements.files import SUMMARY_CSV, SUMMARY_PDF
from pipeline.statements.queries import fetch_rows
from pipeline.warehouse import connection

SESSION_COOKIE = "sla_session"
LOGIN_CSRF_COOKIE = "sla_login_csrf"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 15 * 60
LOCKOUT_SECONDS = 15 * 60
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CUSTOMER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_STATEMENT_FILE = re.compile(r"^(?P<customer>[A-Za-z0-9][A-Za-z0-9_-]{0,63})(?:\.v(?P<version>[1-9][0-9]{0,5}))?\.pdf$")
PUBLIC_PATHS = {"/login", "/favicon.ico"}


@dataclass
class Session:
    user: str
    role: str
    csrf: str
    expires: float
    flash: list[str] = field(default_factory=list)


class SessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def create(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = Session(user.name, user.role, secrets.token_urlsafe(32), time.time() + SESSION_SECONDS)
        return token

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is not None and session.expires < time.time():
                del self._sessions[token]
                return None
            return session

    def drop(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)


class SignInThrottle:
    """Failed sign-ins per user name: 10 within 15 minutes lock the name for 15 minutes."""

    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def locked(self, name: str) -> bool:
        with self._lock:
            return self._locked_until.get(name, 0) > self._clock()

    def failed(self, name: str) -> None:
        now = self._clock()
        with self._lock:
            window = self._failures.setdefault(name, deque())
            window.append(now)
            while window and window[0] <= now - FAILURE_WINDOW_SECONDS:
                window.popleft()
            if len(window) >= MAX_FAILURES:
                self._locked_until[name] = now + LOCKOUT_SECONDS
                window.clear()

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(name, None)


def _money(amount: Decimal | None, currency: str | None) -> str:
    if amount is None or not currency:
        return "—"
    digits = minor_unit(currency)
    return money_string(round_half_up(amount, digits), digits)


def _percent(ratio: Decimal | None) -> str:
    return "—" if ratio is None else f"{figures.percent_of_ratio(ratio, 3)} %"


def _ratio_percent(part: int | None, whole: int | None) -> str:
    return "—" if not whole else f"{figures.percent_of_ratio(Fraction(int(part), int(whole)), 1)} %"


class Portal:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.sessions = SessionStore()
        self.throttle = SignInThrottle()
        self.ledger = Ledger(settings.ledger)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "portal"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    # -- reading -------------------------------------------------------------------------------
    def months(self) -> list[dict[str, object]]:
        if not self.settings.warehouse.exists():
            return []
        with connection(self.settings.warehouse, read_only=True) as con:
            versions = read_versions(con)
        states = statement_states(versions, self.ledger.events())
        by_month: dict[str, dict[str, object]] = {}
        for state in states:
            if not state.statement.is_current:
                continue
            entry = by_month.setdefault(state.statement.month, {"month": state.statement.month, "statements": 0,
                                                                 "draft": 0, "approved": 0, "issued": 0})
            entry["statements"] += 1
            entry[state.status] += 1
        return [by_month[m] for m in sorted(by_month, reverse=True)]

    def month_states(self, month: str) -> list[StatementState]:
        if not _MONTH.match(month) or not self.settings.warehouse.exists():
            return []
        with connection(self.settings.warehouse, read_only=True) as con:
            versions = read_versions(con, month)
        return statement_states(versions, self.ledger.events())

    def uptimes(self, month: str) -> dict[str, str]:
        with connection(self.settings.warehouse, read_only=True) as con:
            rows = con.execute(
                "SELECT customer_id, uptime FROM main.uptime_monthly WHERE month = $month AND plan = 'enterprise'",
                {"month": month},
            ).fetchall()
        return {c: f"{(u * 100).quantize(Decimal('0.001'), rounding='ROUND_DOWN')} %" for c, u in rows if u is not None}

    def chronic(self, month: str) -> dict[str, str]:
        """customer → why the policy's chronic_breaches rule flags it (issue 13); empty for older warehouses."""
        with connection(self.settings.warehouse, read_only=True) as con:
            if not con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'chronic_breaches'"
            ).fetchone()[0]:
                return {}
            return dict(con.execute(
                "SELECT customer_id, reason FROM main.chronic_breaches WHERE month = $month AND is_chronic",
                {"month": month},
            ).fetchall())

    def history(self, month: str, customer_id: str) -> list[dict]:
        """The customer's last twelve months, from the statements' own query (sql/statements/history.sql)."""
        start, end = parse_month(month)
        with connection(self.settings.warehouse, read_only=True) as con:
            rows = fetch_rows(con, "history", {"month": month, "month_start": start, "month_end": end})
        result = []
        for r in rows:
            if r["customer_id"] != customer_id:
                continue
            computed = r["state"] == "computed"
            result.append({
                "month": r["month"],
                "state": r["state"],
                "uptime": _percent(r["uptime"]) if computed else "",
                "credit": _money(r["credit_amount"], r["currency"]) if computed else "",
                "currency": r["currency"] or "",
                "response": _ratio_percent(r["response_met"], r["response_decided"]) if computed else "",
                "resolution": _ratio_percent(r["resolution_met"], r["resolution_decided"]) if computed else "",
            })
        return result

    # -- responses -----------------------------------------------------------------------------
    def page(self, name: str, request: Request, status_code: int = 200, **context) -> HTMLResponse:
        session: Session | None = request.scope.get("sla_session")
        flash = list(session.flash) if session else []
        if session:
            session.flash.clear()
        html = self.templates.get_template(name).render(session=session, flash=flash, **context)
        return HTMLResponse(html, status_code=status_code)

    def not_found(self, request: Request) -> Response:
        return self.page("error.html.j2", request, 404, title="Not found", message="There is no such page or file.")

    def record_download(self, session: Session, request: Request, state: StatementState | None, month: str) -> None:
        s = state.statement if state else None
        self.ledger.append(
            Event(
                "download",
                by=session.user,
                at=iso(utc_now()),
                month=month,
                customer_id=s.customer_id if s else None,
                version=s.version if s else None,
                statement_id=s.statement_id if s else None,
                sha256=s.sha256 if s else None,
                detail=request.url.path,
            )
        )


def _attachment(data: bytes, filename: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"},
    )


def create_app(settings: Settings) -> Starlette:
    portal = Portal(settings)

    async def login_form(request: Request) -> Response:
        # keep an existing token: a second tab (or the browser's favicon request) must not invalidate the first form
        existing = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        token = existing if re.fullmatch(r"[A-Za-z0-9_-]{43}", existing) else secrets.token_urlsafe(32)
        response = portal.page("login.html.j2", request, login_csrf=token, error=None, username="")
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                            secure=request.url.scheme == "https")
        return response

    async def login(request: Request) -> Response:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        cookie_token, form_token = request.cookies.get(LOGIN_CSRF_COOKIE, ""), str(form.get("csrf_token", ""))
        if not cookie_token or not hmac.compare_digest(cookie_token, form_token):
            return PlainTextResponse("missing or wrong CSRF token", status_code=403)
        if portal.throttle.locked(username):
            return PlainTextResponse(
                "too many failed sign-ins for this user: try again in 15 minutes", status_code=429,
                headers={"Retry-After": str(LOCKOUT_SECONDS)},
            )
        user = authenticate(load_users(settings.users), username, password)
        if user is None:
            portal.throttle.failed(username)
            token = secrets.token_urlsafe(32)
            response = portal.page("login.html.j2", request, 401, login_csrf=token,
                                   error="Wrong user name or password.", username=username)
            response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login",
                                secure=request.url.scheme == "https")
            return response
        portal.throttle.succeeded(username)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, portal.sessions.create(user), max_age=SESSION_SECONDS, httponly=True,
                            samesite="strict", path="/", secure=request.url.scheme == "https")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    def csrf_refused(form, session: Session) -> Response | None:  # noqa: ANN001 - starlette FormData
        if not hmac.compare_digest(str(form.get("csrf_token", "")), session.csrf):
            return PlainTextResponse("missing or wrong CSRF token", status_code=403)
        return None

    async def logout(request: Request) -> Response:
        refused = csrf_refused(await request.form(), request.scope["sla_session"])
        if refused:
            return refused
        portal.sessions.drop(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)

    async def home(request: Request) -> Response:
        return portal.page("months.html.j2", request, months=portal.months())

    async def month_page(request: Request) -> Response:
        month = request.path_params["month"]
        states = portal.month_states(month)
        if not states:
            return portal.not_found(request)
        uptimes = portal.uptimes(month)
        rows = [
            {
                "customer_id": s.customer_id,
                "uptime": uptimes.get(s.customer_id, "—"),
                "credit": _money(s.statement.credit_amount, s.statement.currency),
                "currency": s.statement.currency or "",
                "status": s.status,
                "version": s.statement.version,
                "by": s.by or "",
                "at": (s.at or "")[:19].replace("T", " "),
            }
            for s in states
            if s.statement.is_current
        ]
        chronic = portal.chronic(month)
        for row in rows:
            row["chronic"] = chronic.get(row["customer_id"], "")
        return portal.page("month.html.j2", request, month=month, rows=rows)

    async def customer_page(request: Request) -> Response:
        month, customer = request.path_params["month"], request.path_params["customer_id"]
        versions = [s for s in portal.month_states(month) if s.customer_id == customer]
        if not versions:
            return portal.not_found(request)
        rows, previous = [], None
        for s in versions:
            v = s.statement
            changes = []
            if previous is None:
                changes.append("first version")
            elif v.restatement_reason:
                changes.append(v.restatement_reason)
            else:
                pv = previous.statement
                if (pv.credit_amount, pv.currency) != (v.credit_amount, v.currency):
                    changes.append(
                        f"credit {_money(pv.credit_amount, pv.currency)} → {_money(v.credit_amount, v.currency)} {v.currency}"
                    )
                if not changes:
                    changes.append("the document changed, not the credit")
            rows.append({
                "version": v.version,
                "is_current": v.is_current,
                "statement_id": v.statement_id or "",
                "credit": _money(v.credit_amount, v.currency),
                "currency": v.currency or "",
                "status": s.status,
                "approved_by": s.approved.by if s.approved else "",
                "issued_at": (s.issued.at if s.issued else "")[:19].replace("T", " "),
                "changes": "; ".join(changes),
                "file": f"{v.customer_id}.pdf" if v.is_current else f"{v.customer_id}.v{v.version}.pdf",
            })
            previous = s
        return portal.page(
            "customer.html.j2", request, month=month, customer_id=customer, rows=rows,
            history=portal.history(month, customer), chronic=portal.chronic(month).get(customer, ""),
        )

    async def act(request: Request) -> Response:
        session: Session = request.scope["sla_session"]
        month, action = request.path_params["month"], request.path_params["action"]
        if action not in ("approve", "issue"):
            return portal.not_found(request)
        form = await request.form()
        refused = csrf_refused(form, session)
        if refused:
            return refused
        if session.role != "approver":
            return PlainTextResponse("only an approver may approve or issue", status_code=403)
        if not portal.month_states(month):
            return portal.not_found(request)
        customer = str(form.get("customer_id", "")).strip()
        customers = [customer] if customer else []
        try:
            outcome = (actions.approve if action == "approve" else actions.issue)(settings, month, session.user, customers)
        except FinanceError as exc:
            session.flash.append(f"Refused: {exc}")
        else:
            session.flash.extend(outcome.lines() or ["nothing to do"])
        return RedirectResponse(f"/months/{month}", status_code=303)

    async def statement_file(request: Request) -> Response:
        session: Session = request.scope["sla_session"]
        month, name = request.path_params["month"], request.path_params["name"]
        match = _STATEMENT_FILE.match(name)
        if not match:
            return portal.not_found(request)
        customer, version = match["customer"], match["version"]
        for state in portal.month_states(month):
            s = state.statement
            if s.customer_id == customer and (s.is_current if version is None else s.version == int(version)):
                try:
                    data = Path(s.path).read_bytes()
                except OSError:
                    return portal.not_found(request)
                portal.record_download(session, request, state, month)
                return _attachment(data, name, "application/pdf")
        return portal.not_found(request)

    async def month_file(request: Request) -> Response:
        session: Session = request.scope["sla_session"]
        month, name = request.path_params["month"], request.path_params["name"]
        states = [s for s in portal.month_states(month) if s.statement.is_current]
        if not states:
            return portal.not_found(request)
        if name == "credit_notes.csv":
            data = render(month_credit_notes(settings, month), jsonl=False)
            media = "text/csv; charset=utf-8"
        else:
            fixed = {"summary.pdf": (SUMMARY_PDF, "application/pdf"), "statements.csv": (SUMMARY_CSV, "text/csv; charset=utf-8")}
            if name not in fixed:
                return portal.not_found(request)
            # the fixed file name beside the month's current statements, as the warehouse lists them
            folder = Path(states[0].statement.path).parent
            try:
                data = (folder / fixed[name][0]).read_bytes()
            except OSError:
                return portal.not_found(request)
            media = fixed[name][1]
        portal.record_download(session, request, None, month)
        return _attachment(data, f"{month}-{name}", media)

    class RequireSession(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next):  # noqa: ANN001
            request.scope["sla_session"] = None
            session = portal.sessions.get(request.cookies.get(SESSION_COOKIE))
            if request.url.path not in PUBLIC_PATHS:
                if session is None:
                    if request.method == "GET" and not request.url.path.endswith((".pdf", ".csv")):
                        return RedirectResponse("/login", status_code=303)
                    return PlainTextResponse("sign in first", status_code=401)
            request.scope["sla_session"] = session
            response = await call_next(request)
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'")
            return response

    async def not_found_handler(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("not found", status_code=404)

    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/", home, methods=["GET"]),
        Route("/months/{month}", month_page, methods=["GET"]),
        Route("/months/{month}/customers/{customer_id}", customer_page, methods=["GET"]),
        Route("/months/{month}/statements/{name}", statement_file, methods=["GET"]),
        Route("/months/{month}/{name}", month_file, methods=["GET"]),
        Route("/months/{month}/{action}", act, methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(RequireSession)],
                     exception_handlers={404: not_found_handler})


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", server_header=False)


__all__ = ["create_app", "serve", "SignInThrottle", "SESSION_COOKIE"]
