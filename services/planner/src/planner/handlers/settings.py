"""Settings use cases: edit one scope, import a CSV, export, read the audit.

Every change is validated, written with one audit row per changed key, bumps the
tenant's settings version, publishes ``SettingsChanged`` (``requires_reforecast`` only
for the demand-status policy and the backtest horizon) and marks the tenant for a
re-plan from the stored forecasts. New effective values follow from the re-plan as
``EffectiveSettingsChanged``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from planner.adapters import settings_repo, state
from planner.domain.csv_io import ParsedCsv, ScopeRow, export_csv, parse_csv
from planner.domain.errors import SettingError
from planner.domain.settings import changed_keys, check_scope, parse_values
from platform_kit.db.uow import UnitOfWork
from restock_contracts.planning.v1 import SettingsChanged
from restock_contracts.topics import SETTINGS

PRODUCER = "planner"


@dataclass(frozen=True)
class ScopeRef:
    """Which settings: global, a supplier, or a product (optionally at one location)."""

    scope: str
    scope_id: str = ""
    location_id: str = ""


@dataclass(frozen=True)
class ScopeView:
    """A scope's stored values and version (the ETag)."""

    ref: ScopeRef
    values: dict[str, Any]
    version: int


async def read_scope(uow: UnitOfWork, tenant_id: uuid.UUID, ref: ScopeRef) -> ScopeView:
    values, version = await settings_repo.get_scope(
        uow.session, tenant_id, ref.scope, ref.scope_id, ref.location_id
    )
    return ScopeView(ref, values, version)


async def _apply(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    ref: ScopeRef,
    new_values: dict[str, Any],
    user_id: str,
    via: str,
    settings_version: int | None,
) -> tuple[int, list[str]]:
    """Write one scope's full values; audit when something changed and publish
    ``SettingsChanged`` for the contract's keys (a ``supplier_id`` edit alone re-plans
    without an event: the contract has no such key). Returns the changed key names."""
    before, _ = await settings_repo.get_scope(
        uow.session, tenant_id, ref.scope, ref.scope_id, ref.location_id
    )
    after = {k: v for k, v in new_values.items() if v is not None}
    raw_keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if not raw_keys:
        return 0, []
    version = settings_version or await state.bump_settings_version(uow.session, tenant_id)
    scope_version = await settings_repo.put_scope(
        uow.session, tenant_id, ref.scope, ref.scope_id, ref.location_id, after
    )
    await settings_repo.audit(
        uow.session,
        tenant_id,
        [
            {
                "user_id": user_id,
                "via": via,
                "scope": ref.scope,
                "scope_id": ref.scope_id,
                "location_id": ref.location_id,
                "key": k,
                "old_value": before.get(k),
                "new_value": after.get(k),
                "settings_version": version,
            }
            for k in raw_keys
        ],
    )
    keys = changed_keys(before, after)
    if keys:
        event = SettingsChanged(
            settings_version=version,
            scope="product" if ref.scope == "product" else ref.scope,
            scope_id=ref.scope_id or None,
            changed_keys=keys,
        )
        uow.publish(SETTINGS.envelope(event, tenant_id=tenant_id, producer=PRODUCER), SETTINGS.name)
    await state.mark_dirty(uow.session, tenant_id, "settings")
    return scope_version, raw_keys


async def update_scope(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    ref: ScopeRef,
    patch: dict[str, Any],
    user_id: str,
    expected_version: int | None = None,
) -> tuple[ScopeView, list[str]]:
    """Merge ``patch`` (None clears a key) into a scope; raises SettingError on bad input.

    ``expected_version`` (from If-Match) must equal the stored version, else ``StaleScope``.
    """
    parsed = parse_values(patch)
    check_scope(ref.scope, parsed)
    current = await read_scope(uow, tenant_id, ref)
    if expected_version is not None and expected_version != current.version:
        raise StaleScope(current.version)
    merged = {**current.values, **parsed}
    version, keys = await _apply(uow, tenant_id, ref, merged, user_id, "api", None)
    await uow.commit()
    values = {k: v for k, v in merged.items() if v is not None}
    return ScopeView(ref, values, version or current.version), keys


class StaleScope(SettingError):
    """If-Match named an older version of the scope."""

    def __init__(self, current: int) -> None:
        super().__init__("version", "the settings changed since you read them")
        self.current = current


async def import_csv(
    uow: UnitOfWork, tenant_id: uuid.UUID, text: str, user_id: str, dry_run: bool = False
) -> tuple[ParsedCsv, int]:
    """Validate a settings CSV; apply all rows only if none has an error (atomic).

    Returns the parse result and the number of scopes that changed.
    """
    parsed = parse_csv(text)
    if parsed.errors or dry_run:
        return parsed, 0
    version = await state.bump_settings_version(uow.session, tenant_id)
    changed = 0
    for row in parsed.rows:
        ref = ScopeRef(row.scope, row.scope_id, row.location_id)
        current = await read_scope(uow, tenant_id, ref)
        merged = {**current.values, **row.values}
        _, keys = await _apply(uow, tenant_id, ref, merged, user_id, "csv", version)
        changed += bool(keys)
    if changed:
        await uow.commit()
    return parsed, changed


async def export(uow: UnitOfWork, tenant_id: uuid.UUID) -> str:
    """Every stored scope as CSV (formula-like cells neutralised)."""
    rows: list[ScopeRow] = await settings_repo.all_scopes(uow.session, tenant_id)
    return export_csv(rows)


async def audit(
    uow: UnitOfWork, tenant_id: uuid.UUID, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the settings audit, newest first."""
    return await settings_repo.audit_page(uow.session, tenant_id, limit, offset)
