"""Demand classification (Syntetos-Boylan quadrants plus lifecycle classes)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I8 = NDArray[np.int8]

SMOOTH, ERRATIC, INTERMITTENT, LUMPY, NEW, DEAD, DISCONTINUED = range(7)
CLASS_NAMES: tuple[str, ...] = (
    "smooth",
    "erratic",
    "intermittent",
    "lumpy",
    "new",
    "dead",
    "discontinued",
)
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49


def adi_cv2(y: F64) -> tuple[F64, F64]:
    """Average demand interval and squared CV of non-zero demand sizes.

    y: float64 (n, P) period demand, NaN unknown (ignored).
    Returns (adi (n,), cv2 (n,)); adi = known periods / periods with demand (inf if none),
    cv2 = var / mean^2 of the positive values (0 with fewer than two).
    """
    ok = ~np.isnan(y)
    pos = ok & (np.where(ok, y, 0.0) > 0)
    npos = pos.sum(axis=1)
    adi = np.where(npos > 0, ok.sum(axis=1) / np.maximum(npos, 1), np.inf)
    sz = np.where(pos, y, 0.0)
    mean = sz.sum(axis=1) / np.maximum(npos, 1)
    var = np.where(pos, (y - mean[:, None]) ** 2, 0.0).sum(axis=1) / np.maximum(npos - 1, 1)
    cv2 = np.where((npos > 1) & (mean > 0), var / np.maximum(mean, 1e-12) ** 2, 0.0)
    return adi, cv2


def classify(
    y: F64,
    *,
    min_periods: int,
    dead_periods: int,
    discontinued: NDArray[np.bool_] | None = None,
) -> I8:
    """Demand class per series: int8 (n,) indexing :data:`CLASS_NAMES`.

    y: float64 (n, P) period demand (NaN unknown). ``new``: fewer than ``min_periods``
    known periods. ``dead``: no demand in the last ``dead_periods`` known periods (and
    enough history). Otherwise the Syntetos-Boylan quadrant with ADI 1.32 / CV^2 0.49.
    ``discontinued`` (caller flag) wins over everything.
    """
    ok = ~np.isnan(y)
    n_known = ok.sum(axis=1)
    adi, cv2 = adi_cv2(y)
    cls = np.where(
        adi < ADI_CUTOFF,
        np.where(cv2 < CV2_CUTOFF, SMOOTH, ERRATIC),
        np.where(cv2 < CV2_CUTOFF, INTERMITTENT, LUMPY),
    ).astype(np.int8)
    recent = ok & (np.cumsum(ok[:, ::-1], axis=1)[:, ::-1] <= dead_periods)
    recent_sales = np.where(recent, np.where(ok, y, 0.0), 0.0).sum(axis=1)
    cls[(n_known >= dead_periods) & (recent_sales <= 0)] = DEAD
    cls[n_known < min_periods] = NEW
    if discontinued is not None:
        cls[np.asarray(discontinued, bool)] = DISCONTINUED
    return cls
