"""One short sentence per plan row that says what to do and by when (the list's status
text; the full arithmetic is the row's explanation)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np


def _qty(v: float) -> str:
    if not np.isfinite(v):
        return "∞" if v > 0 else "?"
    r = round(float(v), 1)
    return f"{r:,.0f}" if r == int(r) else f"{r:,.1f}"


def status_texts(cols: dict[str, Any], today: date) -> list[str]:
    """Per row, from the plan columns (``action``, ``status``, ``order_qty``, ``uom``,
    ``days_until_stockout``, ``lead_time_days``, ``excess_units``), e.g. "order 300 now:
    stock lasts 10 d, lead time 21 d" or "ok: reorder in 45 d (by 2026-07-16)"."""
    qty = np.asarray(cols["order_qty"], dtype=np.float64)
    days = np.asarray(cols["days_until_stockout"], dtype=np.float64)
    lead = np.asarray(cols["lead_time_days"], dtype=np.float64)
    excess = np.asarray(cols["excess_units"], dtype=np.float64)
    out = []
    for i, (action, status) in enumerate(zip(cols["action"], cols["status"], strict=True)):
        unit = f" {cols['uom'][i]}" if cols["uom"][i] else ""
        lasts = (
            "out of stock"
            if days[i] <= 0
            else f"stock lasts {_qty(days[i])} d"
            if np.isfinite(days[i])
            else "no demand expected"
        )
        if status == "discontinued":
            text = "discontinued: not reordered"
            if np.isfinite(excess[i]) and excess[i] > 0:
                text += f", {_qty(excess[i])}{unit} in excess"
        elif action in ("buy", "make"):
            verb = "order" if action == "buy" else "make"
            text = f"{verb} {_qty(qty[i])}{unit} now: {lasts}, lead time {_qty(lead[i])} d"
        elif status == "overstocked":
            text = f"overstocked: {_qty(excess[i])}{unit} above the order-up-to level"
        elif not np.isfinite(days[i]):
            text = "ok: no demand expected"
        else:
            wait = max(0.0, float(days[i] - lead[i]))
            by = today + timedelta(days=int(wait))
            text = f"ok: reorder in {_qty(wait)} d (by {by.isoformat()})"
        out.append(text)
    return out
