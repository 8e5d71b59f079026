"""Topics: each Kafka topic paired with the payload models it carries (architecture §2).

A :class:`Topic` owns a pydantic ``TypeAdapter`` for ``Envelope[<union of its events>]``
discriminated on the payload's ``event_type``. Producers build envelopes with
:meth:`Topic.envelope`; consumers turn raw bytes into typed envelopes with
:meth:`Topic.decode`, which raises :class:`~restock_contracts.errors.ContractError` (DLQ)
on anything that does not satisfy the contract. Every topic is keyed by tenant id.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import Annotated, Any, cast
from uuid import UUID

from pydantic import Field, TypeAdapter, ValidationError

from restock_contracts._base import Event
from restock_contracts.catalog.v1 import (
    BomRowsChanged,
    LocationsChanged,
    SkusChanged,
    SuppliersChanged,
)
from restock_contracts.envelope import Envelope
from restock_contracts.errors import ContractError, UnknownEventType
from restock_contracts.forecasting.v1 import ForecastRunCompleted, ForecastsPublished
from restock_contracts.inventory.v1 import StockLevelsChanged, StockMovementsChanged
from restock_contracts.planning.v1 import EffectiveSettingsChanged, PlanUpdated, SettingsChanged
from restock_contracts.po.v1 import (
    PurchaseOrderSubmissionFailed,
    PurchaseOrderSubmissionRequested,
    PurchaseOrderSubmitted,
)
from restock_contracts.purchasing.v1 import PurchaseOrderLinesChanged
from restock_contracts.sales.v1 import SalesLinesChanged
from restock_contracts.sync.v1 import (
    ConnectionEstablished,
    ConnectionRemoved,
    StreamCompleted,
    StreamName,
    SyncFinished,
    SyncStarted,
)
from restock_contracts.tenancy.v1 import TenantCreated, TenantDeleted, TenantUpdated

TOPIC_NAME = re.compile(r"^[a-z]+\.[a-z][a-z0-9-]*\.v(?P<major>[1-9][0-9]*)$")
"""``<context>.<stream>.v<major>``."""

_MAX_REPORTED_ERRORS = 5


def event_type_of(event: type[Event]) -> str:
    """The ``event_type`` literal an event class declares (its field default)."""
    field_info = event.model_fields.get("event_type")
    default = field_info.default if field_info is not None else None
    if not isinstance(default, str):
        raise TypeError(f"{event.__name__} must declare event_type: Literal[...] = '...'")
    return default


@dataclass(frozen=True)
class Topic:
    """A Kafka topic and the payload classes its messages may carry."""

    name: str
    events: tuple[type[Event], ...]
    partitions: int = 6
    description: str = ""
    _by_type: Mapping[str, type[Event]] = field(init=False, repr=False, compare=False)
    _adapter: TypeAdapter[Envelope[Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not TOPIC_NAME.match(self.name):
            raise ValueError(f"topic name {self.name!r} is not <context>.<stream>.v<major>")
        if not self.events:
            raise ValueError(f"topic {self.name} has no events")
        if self.partitions < 1:
            raise ValueError(f"topic {self.name} needs at least one partition")
        by_type = {event_type_of(event): event for event in self.events}
        if len(by_type) != len(self.events):
            raise ValueError(f"topic {self.name} has duplicate event types")
        payload: Any = (
            self.events[0]
            if len(self.events) == 1
            else Annotated[reduce(operator.or_, self.events), Field(discriminator="event_type")]
        )
        adapter: TypeAdapter[Envelope[Any]] = TypeAdapter(cast(Any, Envelope)[payload])
        object.__setattr__(self, "_by_type", by_type)
        object.__setattr__(self, "_adapter", adapter)

    @property
    def version(self) -> int:
        """Major version from the name (``catalog.skus.v1`` -> 1)."""
        match = TOPIC_NAME.match(self.name)
        assert match is not None
        return int(match["major"])

    @property
    def dlq_name(self) -> str:
        """Dead-letter topic for poison messages of this topic."""
        return f"{self.name}.dlq"

    @property
    def event_types(self) -> tuple[str, ...]:
        """The ``event_type`` values this topic carries, in declaration order."""
        return tuple(self._by_type)

    @property
    def adapter(self) -> TypeAdapter[Envelope[Any]]:
        """``TypeAdapter`` of ``Envelope[<discriminated union of events>]``."""
        return self._adapter

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema (validation mode) of the envelope with its payload union."""
        schema = self._adapter.json_schema(mode="validation")
        schema["title"] = self.name
        if self.description:
            schema["description"] = self.description
        return schema

    def envelope(
        self,
        payload: Event,
        tenant_id: UUID,
        producer: str,
        event_id: UUID | None = None,
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
        *,
        occurred_at: datetime | None = None,
    ) -> Envelope[Any]:
        """Wrap ``payload`` in an envelope for this topic; ``event_type`` comes from it.

        Pass ``event_id`` (see :func:`~restock_contracts.envelope.derived_event_id`) for
        provider-derived events, and ``occurred_at`` from the injectable clock.
        """
        event_type = str(getattr(payload, "event_type", ""))
        if type(payload) is not self._by_type.get(event_type):
            raise ContractError(
                "wrong_topic",
                f"{type(payload).__name__} is not an event of this topic "
                f"(carries {', '.join(self.event_types)})",
                topic=self.name,
            )
        fields: dict[str, Any] = {
            "event_type": event_type,
            "schema_version": self.version,
            "tenant_id": tenant_id,
            "producer": producer,
            "correlation_id": correlation_id,
            "causation_id": causation_id,
            "payload": payload,
        }
        if event_id is not None:
            fields["event_id"] = event_id
        if occurred_at is not None:
            fields["occurred_at"] = occurred_at
        return self._adapter.validate_python(fields)

    def decode(self, raw: bytes | str) -> Envelope[Any]:
        """Parse and validate one message value; raise :class:`ContractError` if invalid."""
        try:
            envelope = self._adapter.validate_json(raw)
        except ValidationError as exc:
            raise self._error_from(exc) from exc
        if envelope.event_type != envelope.payload.event_type:
            raise ContractError(
                "event_type_mismatch",
                f"envelope says {envelope.event_type!r}, "
                f"payload says {envelope.payload.event_type!r}",
                topic=self.name,
            )
        return envelope

    def _error_from(self, exc: ValidationError) -> ContractError:
        errors = exc.errors(include_url=False)
        for error in errors:
            loc = tuple(error["loc"])
            if error["type"] == "json_invalid":
                return ContractError("invalid_json", error["msg"], topic=self.name)
            if error["type"] == "union_tag_invalid" or (
                error["type"] == "literal_error" and loc == ("payload", "event_type")
            ):
                tag = error.get("ctx", {}).get("tag", error.get("input"))
                return UnknownEventType(
                    "unknown_event_type",
                    f"event_type {tag!r} is not one of {', '.join(self.event_types)}",
                    topic=self.name,
                )
        summary = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or '<root>'}: {error['msg']}"
            for error in errors[:_MAX_REPORTED_ERRORS]
        )
        more = len(errors) - _MAX_REPORTED_ERRORS
        if more > 0:
            summary += f"; and {more} more"
        return ContractError("invalid_envelope", summary, topic=self.name)


SKUS = Topic(
    "catalog.skus.v1",
    (SkusChanged, StreamCompleted),
    partitions=6,
    description="SKU (variant / item) records from the connectors.",
)
SUPPLIERS = Topic(
    "catalog.suppliers.v1",
    (SuppliersChanged, StreamCompleted),
    partitions=3,
    description="Supplier records from the connectors.",
)
LOCATIONS = Topic(
    "catalog.locations.v1",
    (LocationsChanged, StreamCompleted),
    partitions=3,
    description="Location records from the connectors.",
)
BOM = Topic(
    "catalog.bom.v1",
    (BomRowsChanged, StreamCompleted),
    partitions=3,
    description="Bill-of-materials rows (Katana).",
)
STOCK_LEVELS = Topic(
    "inventory.stock-levels.v1",
    (StockLevelsChanged, StreamCompleted),
    partitions=6,
    description="Stock per variant x location as reported by the provider.",
)
STOCK_MOVEMENTS = Topic(
    "inventory.movements.v1",
    (StockMovementsChanged, StreamCompleted),
    partitions=6,
    description="Stock movements with balance after (Katana).",
)
SALES_LINES = Topic(
    "sales.lines.v1",
    (SalesLinesChanged, StreamCompleted),
    partitions=12,
    description="Sales order / invoice / credit note lines with raw and normalised status.",
)
PURCHASE_ORDERS = Topic(
    "purchasing.purchase-orders.v1",
    (PurchaseOrderLinesChanged, StreamCompleted),
    partitions=6,
    description="Purchase order lines from the provider, every status.",
)
SYNC = Topic(
    "connectors.sync.v1",
    (SyncStarted, SyncFinished, ConnectionEstablished, ConnectionRemoved),
    partitions=3,
    description="Sync lifecycle and provider connections.",
)
TENANTS = Topic(
    "tenancy.tenants.v1",
    (TenantCreated, TenantUpdated, TenantDeleted),
    partitions=3,
    description="Tenant lifecycle from the api-gateway.",
)
SETTINGS = Topic(
    "planning.settings.v1",
    (EffectiveSettingsChanged, SettingsChanged),
    partitions=6,
    description="Effective planning settings per SKU x location, with sources.",
)
PLANS = Topic(
    "planning.plans.v1",
    (PlanUpdated,),
    partitions=3,
    description="Plan versions stored by the planner.",
)
FORECASTS = Topic(
    "forecasting.forecasts.v1",
    (ForecastsPublished, ForecastRunCompleted),
    partitions=12,
    description="The forecast contract per SKU x location.",
)
PO_SUBMISSION_REQUESTS = Topic(
    "po.submission-requests.v1",
    (PurchaseOrderSubmissionRequested,),
    partitions=3,
    description="Approved POs for the tenant's connector to create at the provider.",
)
PO_SUBMISSION_RESULTS = Topic(
    "po.submission-results.v1",
    (PurchaseOrderSubmitted, PurchaseOrderSubmissionFailed),
    partitions=3,
    description="Outcome of each PO submission attempt.",
)

ALL_TOPICS: tuple[Topic, ...] = (
    TENANTS,
    SKUS,
    SUPPLIERS,
    LOCATIONS,
    BOM,
    STOCK_LEVELS,
    STOCK_MOVEMENTS,
    SALES_LINES,
    PURCHASE_ORDERS,
    SYNC,
    SETTINGS,
    FORECASTS,
    PLANS,
    PO_SUBMISSION_REQUESTS,
    PO_SUBMISSION_RESULTS,
)
"""Every topic, for topic creation and the schema snapshots."""

STREAM_TOPICS: Mapping[StreamName, Topic] = {
    "skus": SKUS,
    "suppliers": SUPPLIERS,
    "locations": LOCATIONS,
    "bom_rows": BOM,
    "stock_levels": STOCK_LEVELS,
    "stock_movements": STOCK_MOVEMENTS,
    "sales_lines": SALES_LINES,
    "purchase_order_lines": PURCHASE_ORDERS,
}
"""The topic each connector stream publishes its batches and completion marker on."""

_BY_NAME: dict[str, Topic] = {topic.name: topic for topic in ALL_TOPICS}


def topic_by_name(name: str) -> Topic:
    """Look a topic up by its name; ``KeyError`` for an unknown name."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown topic {name!r}") from None


def topic_for_stream(stream: str) -> Topic:
    """The topic of a connector stream name (``KeyError`` for an unknown stream)."""
    topic = cast("Mapping[str, Topic]", STREAM_TOPICS).get(stream)
    if topic is None:
        raise KeyError(f"unknown stream {stream!r}")
    return topic
