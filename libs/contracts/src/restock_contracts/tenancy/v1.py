"""Tenancy payloads, v1 (``tenancy.tenants.v1``), published by the api-gateway.

Every service provisions a tenant on :class:`TenantCreated`, refreshes its attributes on
:class:`TenantUpdated` and purges all of the tenant's data on :class:`TenantDeleted`.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from restock_contracts._base import CurrencyCode, Event, Source, TimeZoneName


class TenantState(Event):
    """The tenant's attributes, carried in full by created and updated events.

    ``time_zone``, ``base_currency`` and ``primary_source`` are None until the first
    connection fills them; ``primary_source`` never changes once set.
    """

    tenant_id: UUID
    name: str
    time_zone: TimeZoneName | None = Field(description="IANA time zone, e.g. 'Europe/Tallinn'.")
    base_currency: CurrencyCode | None = Field(description="ISO 4217 code, e.g. 'EUR'.")
    primary_source: Source | None = Field(description="System of record for sales and POs.")


class TenantCreated(TenantState):
    """A tenant was created: provision its schema rows, schedules and defaults."""

    event_type: Literal["tenancy.tenant_created"] = "tenancy.tenant_created"


class TenantUpdated(TenantState):
    """A tenant's attributes changed; the payload is the full new state."""

    event_type: Literal["tenancy.tenant_updated"] = "tenancy.tenant_updated"
    changed: list[str] = Field(
        default_factory=list, description="Names of the attributes that changed."
    )


class TenantDeleted(Event):
    """A tenant was deleted: every service purges all data it holds for the tenant."""

    event_type: Literal["tenancy.tenant_deleted"] = "tenancy.tenant_deleted"
    tenant_id: UUID
