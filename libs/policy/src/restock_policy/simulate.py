"""Rolling-origin inventory simulation of the (R, S) policy against a naive min/max.

Conventions:

* Time is in periods (days, weeks or months); lead time L ≥ 0 and review R ≥ 1 periods.
* Unmet demand is LOST (typical for SMB retail / e-commerce), not backordered.
* Each period: receive the order placed L periods ago; on a review period place an order;
  then demand: sales = min(on hand, demand). With L = 0 an order arrives before demand.
* (R, S): every R periods the forecaster is re-run on the history BEFORE the decision
  (y[:, :t]) and :func:`restock_policy.plan` gives S = order-up-to = quantile of demand
  over L + R at the service level; order S − (on hand + on order) if positive.
* A series starts at its first non-NaN period; it is managed from ``min_history`` periods
  later, starting with on hand = its first S (no pipeline). Metrics cover periods from the
  first decision + L to the end: fill rate = sales / demand; achieved CSL = share of review
  cycles [t + L, t + L + R) (fully inside the data) with no lost sales; avg_on_hand = mean
  end-of-period on hand.
* Naive min/max: at each review, min = c × mean demand of the last ``naive_window``
  periods × L (L ≥ 1 used), max = 2 min; when on hand + on order ≤ min, order up to max.
  The factor c is found per series by bisection so that the naive fill rate matches the
  (R, S) fill rate; the inventory it then needs is the baseline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from restock_policy.forecasters import Forecaster, engine_forecaster
from restock_policy.inputs import PolicyInputs
from restock_policy.kernel import plan

FloatArr = NDArray[np.float64]
BoolArr = NDArray[np.bool_]
Policy = Callable[[int, BoolArr, FloatArr], tuple[FloatArr, FloatArr]]


@dataclass(frozen=True)
class SimulationResult:
    """Per-series metrics (n,): csl, fill_rate, avg_on_hand of the (R, S) policy;
    naive_fill_rate, naive_avg_on_hand, naive_factor of the fill-rate-matched min/max;
    cycles: int (n,) review cycles scored; managed: bool (n,) series long enough."""

    csl: FloatArr
    fill_rate: FloatArr
    avg_on_hand: FloatArr
    naive_fill_rate: FloatArr
    naive_avg_on_hand: FloatArr
    naive_factor: FloatArr
    cycles: NDArray[np.int_]
    managed: NDArray[np.bool_]

    def summary(self) -> dict[str, float]:
        """Pooled figures over managed series (CSL weighted by cycles)."""
        m = self.managed & (self.cycles > 0)
        if not m.any():
            raise ValueError("no series was long enough to be scored")
        inv, naive = self.avg_on_hand[m].sum(), self.naive_avg_on_hand[m].sum()
        rel = 1.0 - self.avg_on_hand[m] / np.where(
            self.naive_avg_on_hand[m] > 0, self.naive_avg_on_hand[m], np.nan
        )
        return {
            "series": float(m.sum()),
            "csl": float(np.average(self.csl[m], weights=self.cycles[m])),
            "fill_rate": float(np.nanmean(self.fill_rate[m])),
            "naive_fill_rate": float(np.nanmean(self.naive_fill_rate[m])),
            "inventory_reduction_pooled": float(1.0 - inv / naive) if naive > 0 else float("nan"),
            "inventory_reduction_median": float(np.nanmedian(rel)),
        }


def _starts(y: FloatArr) -> NDArray[np.intp]:
    seen = ~np.isnan(y)
    return np.where(seen.any(axis=1), np.argmax(seen, axis=1), y.shape[1]).astype(np.intp)


@dataclass(frozen=True)
class _Run:
    """Raw outcome of one policy run: sums over the scored window per series."""

    sales: FloatArr
    demand: FloatArr
    on_hand_sum: FloatArr
    periods: FloatArr
    cycles_ok: FloatArr
    cycles: FloatArr


def _run(
    y: FloatArr,
    lead: int,
    review: int,
    first_decision: NDArray[np.intp],
    decide: Policy,
) -> _Run:
    """Simulate a policy: ``decide(t, active, position)`` → (order (n,), initial stock (n,))."""
    n, t_total = y.shape
    on_hand = np.zeros(n)
    arrivals = np.zeros((n, t_total + lead + 1))
    started = np.zeros(n, dtype=bool)
    scored_from = first_decision + lead
    lost = np.zeros((n, t_total), dtype=bool)
    sales_sum, demand_sum, oh_sum, per = (np.zeros(n) for _ in range(4))
    t0 = int(first_decision.min(initial=t_total))
    for t in range(t0, t_total):
        on_hand += arrivals[:, t]
        if (t - t0) % review == 0:
            active = first_decision <= t
            position = on_hand + arrivals[:, t + 1 : t + lead + 1].sum(axis=1)
            order, init = decide(t, active, position)
            fresh = active & ~started
            on_hand = np.where(fresh, init, on_hand)
            started |= active
            order = np.where(active & ~fresh, order, 0.0)
            if lead == 0:
                on_hand += order
            else:
                arrivals[:, t + lead] += order
        d = np.nan_to_num(y[:, t])
        sold = np.where(started, np.minimum(on_hand, d), 0.0)
        on_hand -= sold
        lost[:, t] = started & (d - sold > 1e-9)
        score = started & (t >= scored_from)
        sales_sum += np.where(score, sold, 0.0)
        demand_sum += np.where(score, d, 0.0)
        oh_sum += np.where(score, on_hand, 0.0)
        per += score
    cyc_ok, cyc = np.zeros(n), np.zeros(n)
    for t in range(t0, t_total - lead - review + 1, review):
        ok = (first_decision <= t) & started
        stock_out = lost[:, t + lead : t + lead + review].any(axis=1)
        cyc += ok
        cyc_ok += ok & ~stock_out
    return _Run(sales_sum, demand_sum, oh_sum, per, cyc_ok, cyc)


def _ratio(a: FloatArr, b: FloatArr, empty: float) -> FloatArr:
    return np.where(b > 0, a / np.where(b > 0, b, 1.0), empty)


def simulate(
    y: FloatArr,
    lead_time: int,
    review: int,
    service_level: float,
    forecaster: Forecaster | None = None,
    *,
    min_history: int = 24,
    season_length: int = 12,
    naive_window: int = 12,
    bisection_steps: int = 30,
) -> SimulationResult:
    """Simulate (R, S) with rolling forecasts and a fill-rate-matched naive min/max.

    y: float64 (n, T) demand per period (leading NaN = series not started yet);
    lead_time L ≥ 0, review R ≥ 1 (periods); service_level: target CSL in (0, 1);
    forecaster: history (n, t) → ContractForecast in periods (default: the forecasting
    engine with horizon L + R + 1 and ``season_length``).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 2 or lead_time < 0 or review < 1:
        raise ValueError("y must be (n, T); lead_time >= 0; review >= 1")
    n, t_total = y.shape
    fc = forecaster or engine_forecaster(lead_time + review + 1, season_length, lead_time + review)
    first = _starts(y) + min_history
    managed = first + lead_time < t_total

    def rs_policy(t: int, active: BoolArr, position: FloatArr) -> tuple[FloatArr, FloatArr]:
        f = fc(y[:, :t])
        res = plan(
            PolicyInputs(
                mean_daily=np.nan_to_num(f.mean),
                cum_quantiles=np.nan_to_num(f.cum_quantiles),
                horizons=f.horizons,
                levels=f.levels,
                discrete=f.discrete,
                on_hand=position,
                lead_time_mean_days=np.array(float(lead_time)),
                review_period_days=np.array(float(review)),
                service_level=np.array(service_level),
                today=np.datetime64("2000-01-01"),
            )
        )
        s = res.order_up_to
        return np.maximum(s - position, 0.0), s

    ours = _run(y, lead_time, review, first, rs_policy)
    fill = _ratio(ours.sales, ours.demand, 1.0)

    csum = np.concatenate([np.zeros((n, 1)), np.cumsum(np.nan_to_num(y), axis=1)], axis=1)
    ccnt = np.concatenate([np.zeros((n, 1)), np.cumsum(~np.isnan(y), axis=1)], axis=1)
    lo = np.maximum(np.arange(t_total + 1) - naive_window, 0)
    cnt = ccnt - ccnt[:, lo]
    window_mean = np.where(cnt > 0, (csum - csum[:, lo]) / np.maximum(cnt, 1), 0.0)
    lt_cover = max(lead_time, 1)

    def naive(c: FloatArr) -> _Run:
        def policy(t: int, active: BoolArr, position: FloatArr) -> tuple[FloatArr, FloatArr]:
            lo_ = c * window_mean[:, t] * lt_cover
            hi_ = 2.0 * lo_
            return np.where(position <= lo_, hi_ - position, 0.0), hi_

        return _run(y, lead_time, review, first, policy)

    a, b = np.zeros(n), np.ones(n)
    for _ in range(8):
        run_b = naive(b)
        short = _ratio(run_b.sales, run_b.demand, 1.0) < fill - 1e-9
        if not short.any():
            break
        b = np.where(short, 2.0 * b, b)
    for _ in range(bisection_steps):
        mid = 0.5 * (a + b)
        run_m = naive(mid)
        reach = _ratio(run_m.sales, run_m.demand, 1.0) >= fill - 1e-9
        b = np.where(reach, mid, b)
        a = np.where(reach, a, mid)
    final = naive(b)
    return SimulationResult(
        csl=_ratio(ours.cycles_ok, ours.cycles, np.nan),
        fill_rate=fill,
        avg_on_hand=_ratio(ours.on_hand_sum, ours.periods, np.nan),
        naive_fill_rate=_ratio(final.sales, final.demand, 1.0),
        naive_avg_on_hand=_ratio(final.on_hand_sum, final.periods, np.nan),
        naive_factor=b,
        cycles=ours.cycles.astype(np.int_),
        managed=managed,
    )
