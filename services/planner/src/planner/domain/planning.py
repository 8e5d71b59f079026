"""One tenant's plan: rows + effective settings → ``restock_policy.plan`` → plan columns.

Everything is vectorised over the rows except the per-row texts (explanations and the
settings-with-sources documents), which are built once per plan version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from planner.domain.resolution import SOURCE_NAMES, Effective, effective_settings
from planner.domain.rows import Rows, build_rows
from planner.domain.settings import KEYS, decode
from planner.domain.snapshot import Snapshot
from planner.domain.status_text import status_texts
from restock_policy import PolicyInputs, PolicyResult, discrete_from_class, explain_row, plan

RESULT_COLUMNS = [
    "net_position",
    "demand_lt_mean",
    "demand_ltr_mean",
    "demand_ltr_quantile",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "eoq",
    "raw_need",
    "order_qty",
    "order_qty_purchase_uom",
    "days_until_stockout",
    "excess_units",
    "excess_value",
    "shortage_units",
    "shortage_cost",
    "inventory_value",
    "expected_fill_rate",
    "projected_service_level",
    "projected_fill_rate",
]


@dataclass
class PlanOutput:
    """Plan columns (name → (n,) array or list) for the n rows, plus the kernel inputs."""

    columns: dict[str, Any]
    inputs: PolicyInputs | None
    result: PolicyResult | None
    rows: Rows
    effective: Effective | None

    @property
    def n(self) -> int:
        return len(self.rows.keys)


def policy_inputs(snapshot: Snapshot, rows: Rows, eff: Effective) -> PolicyInputs:
    """Map rows and effective settings onto the kernel's inputs."""
    v = eff.values
    skus = [snapshot.skus[variant] for variant, _ in rows.keys]
    lead = v["lead_time_days"]
    review = v["review_period_days"]
    period = v["forecast_period_override"]
    review = np.where(np.isfinite(period), np.maximum(1.0, period - lead), review)
    cost = np.array([np.nan if s.cost is None else s.cost for s in skus], dtype=np.float64)
    price = np.array([np.nan if s.price is None else s.price for s in skus], dtype=np.float64)
    margin = price - cost
    ordering = v["ordering_cost"]
    return PolicyInputs(
        mean_daily=rows.mean_daily,
        cum_quantiles=rows.cum_quantiles,
        discrete=discrete_from_class(np.asarray(rows.demand_class)),
        on_hand=rows.on_hand,
        committed=rows.committed,
        on_order=rows.on_order,
        stock_basis_net=v["stock_basis"] == 1,
        lead_time_mean_days=lead,
        lead_time_std_days=np.nan_to_num(v["lead_time_std_days"]),
        review_period_days=review,
        service_level=v["service_level"],
        moq=np.nan_to_num(v["moq"]),
        order_multiple=np.where(np.isfinite(v["order_multiple"]), v["order_multiple"], 1.0),
        rounding_rule=v["rounding_rule"].astype(int),
        min_stock=v["min_stock"],
        max_stock=v["max_stock"],
        safety_stock_override_units=v["safety_stock_override"],
        safety_stock_override_days=v["safety_stock_override_days"],
        unit_cost=cost,
        holding_cost_rate=v["holding_cost_rate"],
        ordering_cost=np.where(ordering > 0, ordering, np.nan),
        unit_shortage_cost=np.where(margin > 0, margin, np.nan),
        purchase_uom_factor=np.array([s.purchase_uom_factor for s in skus], dtype=np.float64),
        discontinued=np.array([s.discontinued for s in skus], dtype=bool),
        today=np.datetime64(snapshot.today, "D"),
    )


def compute_plan(snapshot: Snapshot, *, explain: bool = True) -> PlanOutput:
    """Build rows, resolve settings, run the kernel and assemble the plan columns."""
    rows = build_rows(snapshot)
    if not rows.keys:
        empty = (
            "variant_id location_id settings settings_hash action status status_text explanation"
        )
        return PlanOutput({name: [] for name in empty.split()}, None, None, rows, None)
    eff = effective_settings(snapshot, rows.keys)
    inputs = policy_inputs(snapshot, rows, eff)
    result = plan(inputs)
    columns = _columns(snapshot, rows, eff, inputs, result)
    columns["status_text"] = status_texts(columns, snapshot.today)
    out = PlanOutput(columns, inputs, result, rows, eff)
    docs = settings_documents(eff)
    columns["settings"] = docs
    columns["settings_hash"] = [
        hashlib.blake2b(json.dumps(d, sort_keys=True).encode(), digest_size=12).hexdigest()
        for d in docs
    ]
    columns["explanation"] = (
        [explanation(out, i) for i in range(out.n)] if explain else [""] * out.n
    )
    return out


def _columns(
    snapshot: Snapshot, rows: Rows, eff: Effective, x: PolicyInputs, r: PolicyResult
) -> dict[str, Any]:
    skus = [snapshot.skus[v] for v, _ in rows.keys]
    sups = [snapshot.suppliers.get(s) if s else None for s in eff.supplier_ids]
    po_status = [decode("po_status_on_create", c) for c in eff.values["po_status_on_create"]]
    make = np.array([s.is_manufactured for s in skus], dtype=bool)
    cols: dict[str, Any] = {name: getattr(r, name) for name in RESULT_COLUMNS}
    cols.update(
        variant_id=[k[0] for k in rows.keys],
        location_id=[k[1] for k in rows.keys],
        sku=[s.sku for s in skus],
        name=[s.name for s in skus],
        category=[s.category for s in skus],
        uom=[s.uom for s in skus],
        purchase_uom=[s.purchase_uom for s in skus],
        purchase_uom_factor=x.purchase_uom_factor,
        supplier_id=eff.supplier_ids,
        supplier_name=[s.name if s else None for s in sups],
        supplier_currency=[s.currency if s else None for s in sups],
        unit_cost=x.unit_cost,
        on_hand=x.on_hand,
        committed=x.committed,
        on_order=x.on_order,
        provisional_on_order=rows.provisional,
        lead_time_days=x.lead_time_mean_days,
        lead_time_std_days=x.lead_time_std_days,
        review_period_days=x.review_period_days,
        service_level=x.service_level,
        moq=x.moq,
        order_multiple=x.order_multiple,
        status=list(r.status_names()),
        action=np.where(r.order_qty > 0, np.where(make, "make", "buy"), "none").tolist(),
        demand_class=rows.demand_class,
        po_status_on_create=po_status,
        latest_order_date=r.latest_order_date,
        has_forecast=rows.has_forecast,
        rolled_up_locations=rows.rolled_up,
        dependent_demand_daily=rows.dependent_daily,
    )
    return cols


def settings_documents(eff: Effective) -> list[dict[str, Any]]:
    """Per row: {key: {value, source}}, the supplier in effect, the learned lead time
    and the backtest horizon."""
    n = eff.learned_mean.shape[0]
    decoded: dict[str, list[Any]] = {}
    for key in KEYS:
        codes = eff.values[key]
        uniq, inv = np.unique(np.nan_to_num(codes, nan=-1e300), return_inverse=True)
        table = [decode(key, c if c != -1e300 else float("nan")) for c in uniq]
        decoded[key] = [table[j] for j in inv.reshape(-1)]
    names = {key: SOURCE_NAMES[eff.sources[key]].tolist() for key in KEYS}
    lead, review = eff.values["lead_time_days"], eff.values["review_period_days"]
    period = eff.values["forecast_period_override"]
    horizon = np.rint(np.where(np.isfinite(period), np.maximum(period, lead + 1), lead + review))
    h_src = np.where(np.isfinite(period), "product_override", "default")
    docs = []
    for i in range(n):
        doc: dict[str, Any] = {
            key: {"value": decoded[key][i], "source": names[key][i]} for key in KEYS
        }
        doc["backtest_horizon_days"] = {"value": int(horizon[i]), "source": str(h_src[i])}
        doc["supplier_id"] = {"value": eff.supplier_ids[i], "source": eff.supplier_sources[i]}
        doc["learned"] = {
            "lead_time_days": _opt(eff.learned_mean[i]),
            "lead_time_std_days": _opt(eff.learned_std[i]),
            "receipts": int(eff.receipts[i]),
        }
        docs.append(doc)
    return docs


def _opt(value: float) -> float | None:
    return round(float(value), 2) if np.isfinite(value) else None


def explanation(out: PlanOutput, i: int) -> str:
    """The row's arithmetic in plain words (``restock_policy.explain_row`` plus context)."""
    assert out.inputs is not None
    assert out.result is not None
    text = explain_row(out.inputs, out.result, i)
    rows = out.rows
    extra = []
    if out.columns["action"][i] == "make":
        text = "make (manufactured, not a PO): " + text
    if rows.rolled_up[i]:
        extra.append(f"includes sales-only locations {', '.join(rows.rolled_up[i])}")
    if rows.provisional[i] > 0:
        extra.append(f"on order includes {rows.provisional[i]:g} just sent, not yet synced")
    if rows.dependent_daily[i] > 0:
        extra.append(f"BOM component demand {rows.dependent_daily[i]:.2f}/d from parents")
    if not rows.has_forecast[i]:
        extra.append("no forecast yet: demand taken as 0")
    return text + ("; " + "; ".join(extra) if extra else "")


def order_suggestions(out: PlanOutput) -> tuple[int, int]:
    """(buy rows, make rows) with a suggested quantity."""
    action = np.asarray(out.columns["action"])
    return int(np.sum(action == "buy")), int(np.sum(action == "make"))


def status_counts(out: PlanOutput) -> dict[str, int]:
    """Rows per status name."""
    names, counts = np.unique(np.asarray(out.columns["status"]), return_counts=True)
    return {str(k): int(c) for k, c in zip(names, counts, strict=True)}
