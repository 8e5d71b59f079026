"""Settings routes: global, supplier and product scopes (ETag / If-Match), the audit,
and CSV import / export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from planner.api.errors import to_problem
from planner.api.schemas import CsvRowError, ImportResult, ScopeSettings, SettingsPatch
from planner.domain.errors import PlannerError
from planner.handlers import settings as use_cases
from planner.handlers.settings import ScopeRef, ScopeView
from platform_kit.auth import Principal, require
from platform_kit.http.deps import RuntimeDep
from platform_kit.http.etag import check_if_match, etag_for
from platform_kit.http.paging import PageDep, make_page
from platform_kit.http.problems import PROBLEM_RESPONSES, Problem

router = APIRouter(prefix="/v1/settings", tags=["settings"], responses=PROBLEM_RESPONSES)
MAX_CSV_BYTES = 20 * 1024 * 1024


def _etag(ref: ScopeRef, version: int) -> str:
    return etag_for(f"{ref.scope}:{ref.scope_id}@{ref.location_id}", version)


def _view(view: ScopeView, response: Response) -> ScopeSettings:
    response.headers["ETag"] = _etag(view.ref, view.version)
    return ScopeSettings(
        scope=view.ref.scope,
        scope_id=view.ref.scope_id,
        location_id=view.ref.location_id,
        values=view.values,
        version=view.version,
    )


async def _get(
    runtime: Any, principal: Principal, ref: ScopeRef, response: Response
) -> ScopeSettings:
    async with runtime.uow() as uow:
        view = await use_cases.read_scope(uow, principal.tenant_id, ref)
    return _view(view, response)


async def _patch(
    runtime: Any,
    principal: Principal,
    ref: ScopeRef,
    body: SettingsPatch,
    request: Request,
    response: Response,
) -> ScopeSettings:
    try:
        async with runtime.uow() as uow:
            current = await use_cases.read_scope(uow, principal.tenant_id, ref)
            check_if_match(request, _etag(ref, current.version), required=False)
            view, _keys = await use_cases.update_scope(
                uow, principal.tenant_id, ref, body.values, principal.user_id, current.version
            )
    except PlannerError as exc:
        raise to_problem(exc) from exc
    return _view(view, response)


@router.get("/global", operation_id="get_global_settings", response_model=ScopeSettings)
async def get_global_settings(
    runtime: RuntimeDep, response: Response, principal: Principal = require("viewer")
) -> ScopeSettings:
    """Tenant-wide settings (only keys set here; the rest fall back to defaults)."""
    return await _get(runtime, principal, ScopeRef("global"), response)


@router.patch("/global", operation_id="update_global_settings", response_model=ScopeSettings)
async def update_global_settings(
    runtime: RuntimeDep,
    body: SettingsPatch,
    request: Request,
    response: Response,
    principal: Principal = require("planner"),
) -> ScopeSettings:
    """Set or clear (null) tenant-wide settings; optional If-Match guards lost updates."""
    return await _patch(runtime, principal, ScopeRef("global"), body, request, response)


@router.get(
    "/suppliers/{supplier_id}", operation_id="get_supplier_settings", response_model=ScopeSettings
)
async def get_supplier_settings(
    runtime: RuntimeDep,
    supplier_id: str,
    response: Response,
    principal: Principal = require("viewer"),
) -> ScopeSettings:
    """Settings of one supplier (apply to SKUs whose default supplier it is)."""
    return await _get(runtime, principal, ScopeRef("supplier", supplier_id), response)


@router.patch(
    "/suppliers/{supplier_id}",
    operation_id="update_supplier_settings",
    response_model=ScopeSettings,
)
async def update_supplier_settings(
    runtime: RuntimeDep,
    supplier_id: str,
    body: SettingsPatch,
    request: Request,
    response: Response,
    principal: Principal = require("planner"),
) -> ScopeSettings:
    """Set or clear supplier settings."""
    ref = ScopeRef("supplier", supplier_id)
    return await _patch(runtime, principal, ref, body, request, response)


@router.get(
    "/products/{variant_id}", operation_id="get_product_settings", response_model=ScopeSettings
)
async def get_product_settings(
    runtime: RuntimeDep,
    variant_id: str,
    response: Response,
    location_id: Annotated[str, Query(description="Empty: every location")] = "",
    principal: Principal = require("viewer"),
) -> ScopeSettings:
    """Product overrides of one SKU (all locations, or one location)."""
    return await _get(runtime, principal, ScopeRef("product", variant_id, location_id), response)


@router.patch(
    "/products/{variant_id}", operation_id="update_product_settings", response_model=ScopeSettings
)
async def update_product_settings(
    runtime: RuntimeDep,
    variant_id: str,
    body: SettingsPatch,
    request: Request,
    response: Response,
    location_id: Annotated[str, Query()] = "",
    principal: Principal = require("planner"),
) -> ScopeSettings:
    """Set or clear product overrides (the top of the precedence chain)."""
    ref = ScopeRef("product", variant_id, location_id)
    return await _patch(runtime, principal, ref, body, request, response)


@router.get("/audit", operation_id="list_settings_audit")
async def list_settings_audit(
    runtime: RuntimeDep, page: PageDep, principal: Principal = require("viewer")
) -> Any:
    """Every settings change, newest first: who, when, scope, key, old and new value."""
    async with runtime.uow() as uow:
        items, total = await use_cases.audit(uow, principal.tenant_id, page.page_size, page.offset)
    return make_page(items, total, page)


@router.get("/export.csv", operation_id="export_settings_csv", response_class=Response)
async def export_settings_csv(
    runtime: RuntimeDep, principal: Principal = require("viewer")
) -> Response:
    """All stored settings scopes as CSV (formula-like cells neutralised)."""
    async with runtime.uow() as uow:
        text = await use_cases.export(uow, principal.tenant_id)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="settings.csv"'},
    )


@router.post("/import.csv", operation_id="import_settings_csv", response_model=ImportResult)
async def import_settings_csv(
    runtime: RuntimeDep,
    request: Request,
    dry_run: bool = False,
    principal: Principal = require("planner"),
) -> ImportResult:
    """Import a settings CSV (text/csv body). All rows apply, or none (422 with per-row
    errors); ``dry_run`` only validates."""
    body = await request.body()
    if len(body) > MAX_CSV_BYTES:
        raise Problem(413, "Payload too large", f"at most {MAX_CSV_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(422, "Invalid CSV", "the file must be UTF-8") from exc
    async with runtime.uow() as uow:
        parsed, changed = await use_cases.import_csv(
            uow, principal.tenant_id, text, principal.user_id, dry_run
        )
    errors = [CsvRowError(row=e.row, column=e.column, message=e.message) for e in parsed.errors]
    if errors:
        raise Problem(
            422,
            "Invalid settings CSV",
            f"{len(errors)} error(s); nothing applied",
            errors=[e.model_dump() for e in errors],
        )
    return ImportResult(
        applied=not dry_run, rows=len(parsed.rows), changed_scopes=changed, errors=[]
    )
