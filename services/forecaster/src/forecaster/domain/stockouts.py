"""Stock-out days reconstructed from stock history (censored demand, not zero demand).

Katana: movements carry ``balance_after``; a day whose LAST movement leaves the balance
<= 0 is a stock-out day, and so is every following day without a movement until a
movement brings the balance above 0. Xero: stock-level snapshots taken at each sync carry
``on_hand``; the same rule applies to them (each snapshot holds until the next one).
Before the first observation nothing is known and nothing is censored.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def stockout_days(
    series_idx: NDArray[np.intp],
    day_idx: NDArray[np.intp],
    order: NDArray[np.float64],
    balance: NDArray[np.float64],
    n: int,
    t: int,
) -> NDArray[np.bool_]:
    """bool (n, t): days ending with stock <= 0.

    series_idx, day_idx: int (m,) observation's series and day column (days before 0
    still set the opening balance; days >= t are ignored); order: float (m,) sort key
    within a day (e.g. epoch seconds); balance: float (m,) stock after the observation.
    """
    out = np.zeros((n, t), dtype=bool)
    if series_idx.size == 0 or n == 0 or t == 0:
        return out
    keep = day_idx < t
    s, d, o, b = series_idx[keep], np.maximum(day_idx[keep], 0), order[keep], balance[keep]
    idx = np.lexsort((o, d, s))
    s, d, b = s[idx], d[idx], b[idx]
    last = np.ones(s.size, dtype=bool)
    last[:-1] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    end_balance = np.full((n, t), np.nan)
    end_balance[s[last], d[last]] = b[last]
    observed = ~np.isnan(end_balance)
    cols = np.where(observed, np.arange(t), -1)
    np.maximum.accumulate(cols, axis=1, out=cols)
    rows = np.arange(n)[:, None]
    filled = np.where(cols >= 0, end_balance[rows, cols.clip(0)], np.nan)
    out = filled <= 0
    return np.asarray(out, dtype=bool)
