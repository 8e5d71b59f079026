from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from contracts_samples import CONNECTION, DRAFT, HEADER, SUBMISSION, TENANT, sku_record
from pydantic import ValidationError

from restock_contracts.catalog.v1 import SkusChanged
from restock_contracts.planning.v1 import REFORECAST_KEYS, ServiceLevelSetting, SettingsChanged
from restock_contracts.po.v1 import PurchaseOrderLineRequest, PurchaseOrderSubmissionRequested
from restock_contracts.sync.v1 import ConnectionEstablished
from restock_contracts.tenancy.v1 import TenantUpdated


def _request(source: str, status: str) -> PurchaseOrderSubmissionRequested:
    line = PurchaseOrderLineRequest(
        line_id=DRAFT,
        variant_id="501",
        quantity=Decimal("4"),
        purchase_uom_conversion_rate=Decimal("12"),
        unit_price=Decimal("1.5"),
    )
    return PurchaseOrderSubmissionRequested(
        submission_id=SUBMISSION,
        po_draft_id=DRAFT,
        attempt=1,
        connection_id=CONNECTION,
        source=source,
        supplier_id="7",
        location_id="1",
        order_number="RS-1",
        currency="EUR",
        fx_rate_to_base=Decimal("1"),
        status=status,
        lines=[line],
    )


@pytest.mark.parametrize(
    ("source", "status"),
    [
        ("katana", "NOT_RECEIVED"),
        ("katana", "DRAFT"),
        ("xero", "DRAFT"),
        ("xero", "SUBMITTED"),
        ("xero", "AUTHORISED"),
    ],
)
def test_po_statuses_each_provider_accepts(source: str, status: str) -> None:
    assert _request(source, status).status == status


@pytest.mark.parametrize(
    ("source", "status"),
    [("katana", "AUTHORISED"), ("katana", "SUBMITTED"), ("xero", "NOT_RECEIVED")],
)
def test_po_statuses_a_provider_cannot_create(source: str, status: str) -> None:
    with pytest.raises(ValidationError, match=f"cannot be created in {source}"):
        _request(source, status)


def test_po_request_needs_lines_and_positive_quantities() -> None:
    request = _request("katana", "NOT_RECEIVED").model_dump()
    with pytest.raises(ValidationError, match="at least 1 item"):
        PurchaseOrderSubmissionRequested.model_validate({**request, "lines": []})
    with pytest.raises(ValidationError, match="greater than 0"):
        PurchaseOrderLineRequest(
            line_id=DRAFT,
            variant_id="1",
            quantity=Decimal("0"),
            purchase_uom_conversion_rate=Decimal("1"),
            unit_price=Decimal("1"),
        )


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["moq"], False),
        (["lead_time_days", "service_level"], False),
        (["demand_status_policy"], True),
        (["moq", "backtest_horizon_days"], True),
    ],
)
def test_only_demand_policy_and_backtest_horizon_require_a_reforecast(
    keys: list[Any], expected: bool
) -> None:
    event = SettingsChanged(settings_version=1, scope="global", changed_keys=keys)
    assert event.requires_reforecast is expected
    assert {"demand_status_policy", "backtest_horizon_days"} == REFORECAST_KEYS


@pytest.mark.parametrize("level", ["0", "1", "1.2"])
def test_service_level_is_a_probability(level: str) -> None:
    with pytest.raises(ValidationError):
        ServiceLevelSetting(value=Decimal(level), source="global")


def test_tenant_attributes_are_validated() -> None:
    base: dict[str, Any] = {"tenant_id": TENANT, "name": "Acme", "primary_source": "xero"}
    TenantUpdated(**base, time_zone="America/Argentina/Buenos_Aires", base_currency="USD")
    with pytest.raises(ValidationError, match="base_currency"):
        TenantUpdated(**base, time_zone="UTC", base_currency="usd")
    with pytest.raises(ValidationError, match="time_zone"):
        TenantUpdated(**base, time_zone="Europe Tallinn", base_currency="EUR")
    with pytest.raises(ValidationError, match="primary_source"):
        TenantUpdated(**{**base, "primary_source": "sap"}, time_zone=None, base_currency=None)


def test_connection_established_needs_a_base_currency() -> None:
    with pytest.raises(ValidationError, match="base_currency"):
        ConnectionEstablished(
            connection_id=CONNECTION,
            source="katana",
            organisation_name="Acme",
            base_currency="",
            time_zone=None,
            provider_tenant_id=None,
        )


def test_batches_are_numbered_from_one_and_never_empty() -> None:
    with pytest.raises(ValidationError, match="batch_seq"):
        SkusChanged(**{**HEADER, "batch_seq": 0}, records=[sku_record()])
    with pytest.raises(ValidationError, match="records"):
        SkusChanged(**HEADER, records=[])
    with pytest.raises(ValidationError, match="mode"):
        SkusChanged(**{**HEADER, "mode": "full"}, records=[sku_record()])
