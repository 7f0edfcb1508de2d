"""The live center's HTTP service (Starlette on uvicorn).

Routes (``/openapi.json`` holds the same with their docstrings):

=========================================  ==========  =====================================
``POST /v1/reports``                       sensors     a signed batch of reports (JSON lines)
``GET  /v1/clock``                         anyone      the center's clock, mode and epoch
``GET  /v1/alerts``                        viewer      alerts, filtered by time, level, event
``GET  /v1/alerts/stream``                 viewer      server-sent events, one per new alert
``GET  /v1/events/{id}``                   viewer      one event: its alert ladder, acks, notes
``GET  /v1/health``                        viewer      sensors, coverage, lag, intake counts
``GET  /v1/picture``                       viewer      what the live page draws
``POST /v1/alerts/{id}/ack``               operator    acknowledge an alert (audited)
``POST /v1/alerts/{id}/notes``             operator    add a note to an alert (audited)
``GET  /v1/audit``                         operator    the audit log's latest rows
``GET  /``                                 anyone      the live page (offline: no CDN)
=========================================  ==========  =====================================

Viewers and operators authenticate with a bearer token (``Authorization: Bearer ...``,
or ``?token=`` where a browser cannot set headers, as for an EventSource); the config
holds each token's SHA-256. Nobody can post alerts: there is no such route.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import math
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from earlywarn import __version__
from earlywarn.center import Alert, Level
from earlywarn.service.config import Role, ServiceConfig
from earlywarn.service.ingest import (
    RateLimiter,
    Reason,
    Rejected,
    body_digest,
    check_signed,
    n_lines,
    parse_envelope,
    parse_reports,
)
from earlywarn.service.loop import LiveCenter
from earlywarn.service.store import AuditRow, Store

__all__ = ["create_app"]

TICK_WALL_S = 0.05
"""How often the loop looks whether a step is due (wall seconds)."""


class Service:
    """The state the routes share: config, store, the live center, SSE listeners."""

    def __init__(self, cfg: ServiceConfig, now: Callable[[], float] = time.time) -> None:
        self.cfg = cfg
        self.store = Store(cfg.store_dir)
        self.center = LiveCenter(cfg, self.store, now)
        self.keys = cfg.secrets()
        self.batch_rate = RateLimiter(cfg.limits.max_batches_per_s)
        self.report_rate = RateLimiter(cfg.limits.max_reports_per_s)
        self.listeners: set[asyncio.Queue[tuple[int, Alert] | None]] = set()
        self.epoch = cfg.epoch

    def audit(self, kind: str, rej: Rejected, who: str = "") -> None:
        self.store.audit(
            AuditRow(time.time(), kind, str(rej.reason), rej.status, rej.sensor_id[:64],
                     rej.seq[:40], who, rej.detail)
        )  # fmt: skip

    # ---------------------------------------------------------------- ingest (a thread)

    def ingest(self, headers: Any, body: bytes) -> dict[str, Any]:
        lim = self.cfg.limits
        env, ts_text, sig = parse_envelope(headers)
        check_signed(env, ts_text, sig, body, self.keys, lim.max_skew)
        sid, sq = env.sensor_id, str(env.seq)
        if env.mode != self.cfg.mode:
            raise Rejected(
                Reason.MODE_MISMATCH,
                f"a {self.cfg.mode} center takes only {self.cfg.mode} batches; this one is "
                f"{env.mode}",
                sid,
                sq,
            )
        digest = body_digest(body)
        found = self.store.find_batch(sid, env.seq)
        if found is not None:
            if found[0] != digest:
                raise Rejected(
                    Reason.SEQUENCE_CONFLICT,
                    f"sensor {sid!r} batch {env.seq} is already stored with another body",
                    sid,
                    sq,
                )
            return {"status": "duplicate", "sensor_id": sid, "seq": env.seq, "step": found[1]}
        if not (self.batch_rate.take(sid) and self.report_rate.take(sid, n_lines(body))):
            raise Rejected(
                Reason.RATE_LIMITED,
                f"sensor {sid!r} is over its rate ({lim.max_batches_per_s:g} batches/s, "
                f"{lim.max_reports_per_s:g} reports/s)",
                sid,
                sq,
            )
        try:
            batch = parse_reports(body, sid, self.epoch, lim.max_batch_reports, env.mode)
        except Rejected as rej:
            rej.sensor_id, rej.seq = sid, sq
            raise
        n = len(batch)

        def store_fn(k: int) -> int:
            return self.store.add_batch(sid, env.seq, env.timestamp_s, str(env.mode), k, n,
                                        digest, body)  # fmt: skip

        try:
            k = self.center.accept(sid, env.seq, batch, store_fn)
        except Exception as exc:  # the unique key: a concurrent retry of the same batch
            found = self.store.find_batch(sid, env.seq)
            if found is not None and found[0] == digest:
                return {"status": "duplicate", "sensor_id": sid, "seq": env.seq, "step": found[1]}
            raise Rejected(Reason.SEQUENCE_CONFLICT, f"not stored: {exc}", sid, sq) from None
        return {"status": "stored", "sensor_id": sid, "seq": env.seq, "n_reports": n, "step": k}

    # ---------------------------------------------------------------- the loop

    async def run_loop(self) -> None:
        while True:
            new = await anyio.to_thread.run_sync(self.center.advance)
            base = len(self.center.alerts) - len(new)  # only this task steps the center
            for i, a in enumerate(new):
                for q in list(self.listeners):
                    q.put_nowait((base + i, a))
            await asyncio.sleep(TICK_WALL_S)

    # ---------------------------------------------------------------- accounts

    def who(self, request: Request, need: Role) -> str:
        """The account name, or :class:`Rejected` (audited by the caller)."""
        auth = request.headers.get("authorization", "")
        token = (
            auth[7:]
            if auth.lower().startswith("bearer ")
            else request.query_params.get("token", "")
        )
        if not token:
            if need == Role.VIEWER and self.cfg.public_read:
                return "public"
            raise Rejected(Reason.UNAUTHENTICATED, "a bearer token is needed")
        acct = self.cfg.role_of(token)
        if acct is None:
            raise Rejected(Reason.UNAUTHENTICATED, "unknown token")
        name, role = acct
        if need == Role.OPERATOR and role != Role.OPERATOR:
            raise Rejected(Reason.FORBIDDEN, f"account {name!r} is a {role}; operators only")
        return name


def _error(rej: Rejected) -> JSONResponse:
    return JSONResponse(rej.body(), status_code=rej.status)


def _float_param(request: Request, name: str) -> float | None:
    v = request.query_params.get(name)
    if v is None:
        return None
    try:
        x = float(v)
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise Rejected(Reason.BAD_REQUEST, f"query {name!r}: got {v[:40]!r}; expected seconds")
    return x


async def _reports(request: Request) -> Response:
    """Post a signed batch of reports (JSON lines) from one sensor.

    responses:
      200: stored (or a retry of a stored batch), durable before this answer
      400: bad envelope or not JSON lines
      401: unknown sensor, bad signature or stale timestamp
      403: wrong mode, or a report of another sensor
      409: the sequence number is taken by another batch
      413: body or batch too large
      422: a report breaks the contract
      429: over the sensor's rate
    """
    svc: Service = request.app.state.service
    cfg = svc.cfg
    try:
        declared = int(request.headers.get("content-length") or 0)
    except ValueError:
        declared = 0
    limit = cfg.limits.max_body_bytes
    try:
        if declared > limit:
            raise Rejected(Reason.BODY_TOO_LARGE, f"{declared} bytes; at most {limit}")
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise Rejected(Reason.BODY_TOO_LARGE, f"over {limit} bytes")
            chunks.append(chunk)
        body = b"".join(chunks)
        ack = await anyio.to_thread.run_sync(svc.ingest, request.headers, body)
    except Rejected as rej:
        if not rej.sensor_id:
            rej.sensor_id = request.headers.get("x-earlywarn-sensor", "")[:64]
            rej.seq = request.headers.get("x-earlywarn-seq", "")[:40]
        await anyio.to_thread.run_sync(svc.audit, "ingest", rej)
        return _error(rej)
    return JSONResponse(ack)


async def _authorised(request: Request, need: Role) -> str | Response:
    svc: Service = request.app.state.service
    try:
        return svc.who(request, need)
    except Rejected as rej:
        await anyio.to_thread.run_sync(svc.audit, "access", rej)
        return _error(rej)


async def _clock(request: Request) -> Response:
    """The center's clock: its time, speed, epoch, mode and step."""
    svc: Service = request.app.state.service
    cfg = svc.cfg
    c = svc.center
    return JSONResponse(
        {"t_s": c.clock.t_s(c.now()), "speed": c.clock.speed, "epoch_utc": cfg.epoch,
         "mode": str(cfg.mode), "step_s": c.dt, "lag_s": c.lag,
         "center_t_s": c.state.t_s, "version": __version__}
    )  # fmt: skip


async def _alerts(request: Request) -> Response:
    """Alerts, oldest first; query ``since_s``, ``until_s`` (center time), ``level``
    (at least this level), ``event``."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.VIEWER)
    if isinstance(who, Response):
        return who
    try:
        since, until = _float_param(request, "since_s"), _float_param(request, "until_s")
        lvl = request.query_params.get("level")
        if lvl is not None and lvl not in Level.__members__:
            raise Rejected(
                Reason.BAD_REQUEST,
                f"query 'level': got {lvl[:40]!r}; expected one of {list(Level.__members__)}",
            )
    except Rejected as rej:
        return _error(rej)
    ev = request.query_params.get("event")
    out = [
        a.to_dict()
        for a in list(svc.center.alerts)
        if (since is None or a.t_s >= since)
        and (until is None or a.t_s <= until)
        and (lvl is None or Level[a.level] >= Level[lvl])
        and (ev is None or a.event_id == ev)
    ]
    return JSONResponse({"alerts": out})


async def _stream(request: Request) -> Response:
    """Server-sent events: every alert (from the ``Last-Event-ID`` on), then each new
    one as it is issued."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.VIEWER)
    if isinstance(who, Response):
        return who
    last = request.headers.get("last-event-id") or request.query_params.get("from") or "-1"
    start = int(last) + 1 if last.lstrip("-").isdigit() and len(last) < 12 else 0
    q: asyncio.Queue[tuple[int, Alert] | None] = asyncio.Queue()
    svc.listeners.add(q)
    backlog = list(svc.center.alerts)

    async def gen() -> AsyncIterator[str]:
        try:
            n = max(start, 0)
            for a in backlog[n:]:
                yield f"id: {n}\nevent: alert\ndata: {a.to_json()}\n\n"
                n += 1
            while True:
                try:
                    got = await asyncio.wait_for(q.get(), timeout=10.0)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if got is None:
                    return
                idx, alert = got
                if idx < n:  # already sent from the backlog
                    continue
                yield f"id: {idx}\nevent: alert\ndata: {alert.to_json()}\n\n"
                n = idx + 1
        finally:
            svc.listeners.discard(q)

    return StreamingResponse(
        gen(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
    )


async def _event(request: Request) -> Response:
    """One event: its alerts (the ladder), the operators' acknowledgements and notes."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.VIEWER)
    if isinstance(who, Response):
        return who
    eid = request.path_params["event_id"]
    als = [a for a in svc.center.alerts if a.event_id == eid]
    if not als:
        return JSONResponse({"error": "not_found", "detail": f"no event {eid[:40]!r}"}, 404)
    ids = {a.alert_id for a in als}
    actions = [x for x in svc.store.actions() if x["alert_id"] in ids]
    return JSONResponse(
        {"event_id": eid, "level": als[-1].level, "disposition": als[-1].disposition,
         "alerts": [a.to_dict() for a in als], "actions": actions}
    )  # fmt: skip


async def _health(request: Request) -> Response:
    """Sensors (status, degraded, batch gaps), coverage, lag between clock and center,
    the intake's counts and the audit log's counts by reason."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.VIEWER)
    if isinstance(who, Response):
        return who
    h = svc.center.health()
    h["rejections"] = await anyio.to_thread.run_sync(svc.store.audit_counts)
    return JSONResponse(h)


async def _picture(request: Request) -> Response:
    """Sensors, tracks, alerts and health for the live page."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.VIEWER)
    if isinstance(who, Response):
        return who
    return JSONResponse(svc.center.picture())


async def _operator_action(request: Request) -> Response:
    """Acknowledge an alert (``/ack``) or add a note (``/notes``, JSON ``{"note": ...}``)."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.OPERATOR)
    if isinstance(who, Response):
        return who
    aid = request.path_params["alert_id"]
    action = request.url.path.rsplit("/", 1)[-1]
    note = ""
    try:
        if not any(a.alert_id == aid for a in svc.center.alerts):
            return JSONResponse({"error": "not_found", "detail": f"no alert {aid[:40]!r}"}, 404)
        if action == "notes":
            raw = await request.body()
            try:
                data = json.loads(raw) if len(raw) <= 10_000 else None
            except (ValueError, RecursionError):
                data = None
            if not isinstance(data, dict) or not isinstance(data.get("note"), str):
                raise Rejected(Reason.BAD_REQUEST, 'expected JSON {"note": "..."} (<= 10 kB)')
            note = data["note"][:4000]
    except Rejected as rej:
        return _error(rej)
    await anyio.to_thread.run_sync(svc.store.add_action, who, action, aid, note)
    detail = f"{action} {aid}: {note[:200]}"
    await anyio.to_thread.run_sync(
        svc.store.audit, AuditRow(time.time(), "operator", action, 200, "", "", who, detail)
    )
    return JSONResponse({"status": "recorded", "action": action, "alert_id": aid, "who": who})


async def _audit(request: Request) -> Response:
    """The audit log's latest rows (``limit``, at most 5,000)."""
    svc: Service = request.app.state.service
    who = await _authorised(request, Role.OPERATOR)
    if isinstance(who, Response):
        return who
    lim = request.query_params.get("limit", "1000")
    n = min(int(lim), 5000) if lim.isdigit() and len(lim) < 7 else 1000
    rows = await anyio.to_thread.run_sync(svc.store.audit_rows, n)
    return JSONResponse({"audit": [r.__dict__ for r in rows]})


async def _page(request: Request) -> Response:
    """The live page."""
    html = (resources.files("earlywarn.service") / "static" / "live.html").read_text("utf-8")
    return HTMLResponse(html)


async def _coastlines(request: Request) -> Response:
    """The shipped coastlines (Natural Earth 1:110m) as [[lon, lat], ...] polylines."""
    return Response(_coastlines_json(), media_type="application/json")


def create_app(
    cfg: ServiceConfig, run_loop: bool = True, now: Callable[[], float] = time.time
) -> Starlette:
    """The ASGI application of one live center (its store opened, its log replayed).

    ``run_loop=False`` leaves stepping to the caller (``app.state.service.center.advance``)
    and ``now`` replaces the wall clock: for tests that step a center by hand."""
    svc = Service(cfg, now)
    svc.center.replay()

    routes = [
        Route("/", _page, methods=["GET"], include_in_schema=False),
        Route("/v1/reports", _reports, methods=["POST"]),
        Route("/v1/clock", _clock, methods=["GET"]),
        Route("/v1/alerts", _alerts, methods=["GET"]),
        Route("/v1/alerts/stream", _stream, methods=["GET"]),
        Route("/v1/alerts/{alert_id}/ack", _operator_action, methods=["POST"]),
        Route("/v1/alerts/{alert_id}/notes", _operator_action, methods=["POST"]),
        Route("/v1/events/{event_id}", _event, methods=["GET"]),
        Route("/v1/health", _health, methods=["GET"]),
        Route("/v1/picture", _picture, methods=["GET"]),
        Route("/v1/audit", _audit, methods=["GET"]),
        Route("/v1/coastlines", _coastlines, methods=["GET"]),
    ]
    spec = _openapi(routes)

    async def openapi(request: Request) -> Response:
        return JSONResponse(spec)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(svc.run_loop()) if run_loop else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            for q in list(svc.listeners):
                q.put_nowait(None)

    app = Starlette(
        routes=[*routes, Route("/openapi.json", openapi, include_in_schema=False)],
        lifespan=lifespan,
    )
    app.state.service = svc
    return app


def _openapi(routes: list[Route]) -> dict[str, Any]:
    """An OpenAPI 3 document of the routes: each operation's summary and description
    from its docstring (first line, then the rest)."""
    paths: dict[str, dict[str, Any]] = {}
    for r in routes:
        if not r.include_in_schema:
            continue
        doc = inspect.cleandoc(r.endpoint.__doc__ or "")
        head, _, rest = doc.partition("\n")
        for m in sorted(r.methods or ()):
            if m == "HEAD":
                continue
            paths.setdefault(r.path, {})[m.lower()] = {
                "summary": head,
                "description": rest.strip(),
                "responses": {"200": {"description": "OK"}},
            }
    return {
        "openapi": "3.0.3",
        "info": {"title": "earlywarn live center", "version": __version__},
        "paths": paths,
    }


_COAST: list[bytes] = []


def _coastlines_json() -> bytes:
    if not _COAST:
        from earlywarn.io.coastlines import load_coastlines

        c = load_coastlines()
        lines: list[list[list[float]]] = []
        for lon_a, lat_a in (
            (c.coast_lon_deg, c.coast_lat_deg),
            (c.border_lon_deg, c.border_lat_deg),
        ):
            cur: list[list[float]] = []
            for lo, la in zip(lon_a.tolist(), lat_a.tolist(), strict=True):
                if math.isnan(lo) or math.isnan(la):
                    if len(cur) > 1:
                        lines.append(cur)
                    cur = []
                else:
                    cur.append([round(lo, 2), round(la, 2)])
            if len(cur) > 1:
                lines.append(cur)
        _COAST.append(json.dumps({"lines": lines, "provenance": c.provenance}).encode())
    return _COAST[0]
