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
OBSOLETE_ADI_MULTIPLE = 3.0


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


def trailing_zero_run(y: F64) -> NDArray[np.intp]:
    """int (n,): known periods without demand since the last period with demand
    (unknown periods are skipped; all known periods when there never was demand)."""
    ok = ~np.isnan(y)
    pos = ok & (np.where(ok, y, 0.0) > 0)
    after_last = np.cumsum(pos[:, ::-1], axis=1)[:, ::-1] == 0
    return (ok & after_last).sum(axis=1).astype(np.intp)


def classify(
    y: F64,
    *,
    min_periods: int,
    dead_periods: int,
    discontinued: NDArray[np.bool_] | None = None,
    obsolete_adi_multiple: float = OBSOLETE_ADI_MULTIPLE,
) -> I8:
    """Demand class per series: int8 (n,) indexing :data:`CLASS_NAMES`.

    y: float64 (n, P) period demand (NaN unknown). ``new``: fewer than ``min_periods``
    known periods. ``dead`` (obsolete): the trailing run of known periods without demand
    is at least ``min(dead_periods, max(dead_periods / 2, obsolete_adi_multiple * ADI))``
    (and there is enough history): a run that long is unlikely (< ~5%) for a series that
    still sells at its historical interval ADI. Otherwise the Syntetos-Boylan quadrant
    with ADI 1.32 / CV^2 0.49. ``discontinued`` (caller flag) wins over everything.
    """
    ok = ~np.isnan(y)
    n_known = ok.sum(axis=1)
    adi, cv2 = adi_cv2(y)
    cls = np.where(
        adi < ADI_CUTOFF,
        np.where(cv2 < CV2_CUTOFF, SMOOTH, ERRATIC),
        np.where(cv2 < CV2_CUTOFF, INTERMITTENT, LUMPY),
    ).astype(np.int8)
    run = trailing_zero_run(y)
    need = np.minimum(
        float(dead_periods),
        np.maximum(dead_periods / 2.0, obsolete_adi_multiple * np.nan_to_num(adi, posinf=0.0)),
    )
    cls[(n_known >= dead_periods) & (run >= need)] = DEAD
    cls[n_known < min_periods] = NEW
    if discontinued is not None:
        cls[np.asarray(discontinued, bool)] = DISCONTINUED
    return cls
