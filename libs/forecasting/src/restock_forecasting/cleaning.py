"""Cleaning of daily demand: censoring, first sale, negatives, outlier capping, buckets.

Unknown demand is NaN everywhere downstream: a stock-out day is not a zero-demand day
and days before a product's first sale are not history.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

MIN_KNOWN_FRACTION = 0.4


def mask_unknown(
    y: F64, censored: B | None = None, first_sale_idx: NDArray[np.intp] | None = None
) -> F64:
    """float64 (n, T): demand with NaN on censored days and before the first sale.

    Negative values (returns netted below zero) are clipped to 0; input NaN stays unknown.
    first_sale_idx: int (n,) column of the first sale (T or more: no history).
    """
    out = np.clip(np.asarray(y, dtype=float), 0.0, None)
    if censored is not None:
        out[np.asarray(censored, bool)] = np.nan
    if first_sale_idx is not None:
        cols = np.arange(out.shape[1])[None, :]
        out[cols < np.asarray(first_sale_idx)[:, None]] = np.nan
    return out


def to_buckets(daily: F64, length: int, day_weight: F64 | None = None) -> F64:
    """Sum days into buckets of ``length`` days aligned to the last day: (n, T // length).

    A bucket with unknown days is scaled up by the expected share of its known days
    (``day_weight`` (n, T), e.g. the weekday profile; uniform if None); buckets with less
    than 40% of their expected demand known are NaN.
    """
    n, t = daily.shape
    nb = t // length
    sl = slice(t - nb * length, t)
    blk = daily[:, sl].reshape(n, nb, length)
    w = np.ones_like(blk) if day_weight is None else day_weight[:, sl].reshape(n, nb, length)
    ok = ~np.isnan(blk)
    share = np.where(ok, w, 0.0).sum(axis=2) / np.maximum(w.sum(axis=2), 1e-12)
    tot = np.where(ok, blk, 0.0).sum(axis=2)
    return np.where(share >= MIN_KNOWN_FRACTION, tot / np.maximum(share, 1e-12), np.nan)


def rolling_median_mad(y: F64, window: int) -> tuple[F64, F64]:
    """NaN-aware centred rolling median and MAD: two float64 (n, P) arrays."""
    half = window // 2
    pad = np.pad(y, ((0, 0), (half, half)), constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(pad, window, axis=1)
    med = _nanmedian_last(win)
    mad = _nanmedian_last(np.abs(win - med[:, :, None]))
    return med, mad


def _nanmedian_last(a: F64) -> F64:
    s = np.sort(a, axis=-1)
    c = (~np.isnan(a)).sum(axis=-1)
    lo = np.clip((c - 1) // 2, 0, None)[..., None]
    hi = np.clip(c // 2, 0, None)[..., None]
    med = 0.5 * (np.take_along_axis(s, lo, -1) + np.take_along_axis(s, hi, -1))[..., 0]
    return np.where(c > 0, med, np.nan)


def cap_outliers(yb: F64, window: int = 13, k: float = 5.0) -> tuple[F64, B]:
    """Cap bucket values above rolling median + k * scale.

    yb: float64 (n, P) bucket demand (NaN unknown). scale = max(1.4826 * rolling MAD,
    the series' mean absolute deviation from its median) so intermittent series
    (MAD 0) are only capped on extreme spikes. Returns (capped (n, P), flags (n, P)).
    """
    med, mad = rolling_median_mad(yb, window)
    ok = ~np.isnan(yb)
    gmed = np.nan_to_num(_nanmedian_last(yb))
    absdev = np.where(ok, np.abs(yb - gmed[:, None]), 0.0).sum(axis=1)
    mean_ad = absdev / np.maximum(ok.sum(axis=1), 1)
    scale = np.maximum(1.4826 * np.nan_to_num(mad), mean_ad[:, None])
    thr = np.nan_to_num(med) + k * scale
    flag = ok & (yb > thr) & (scale > 0)
    return np.where(flag, thr, yb), flag


def cap_daily(daily: F64, length: int, flags: B, capped: F64, raw: F64) -> tuple[F64, B]:
    """Remove each flagged bucket's excess from its days above the bucket's median day.

    Returns (daily float64 (n, T), day flags bool (n, T) = days that were reduced).
    """
    n, t = daily.shape
    nb = flags.shape[1]
    start = t - nb * length
    out = daily.copy()
    day_flag = np.zeros((n, t), bool)
    rows, cols = np.nonzero(flags)
    if rows.size == 0:
        return out, day_flag
    blk = daily[:, start:].reshape(n, nb, length)[rows, cols]
    known = np.where(np.isnan(blk), 0.0, blk)
    share = np.where(np.isnan(blk), 0.0, 1.0).sum(axis=1) / length
    excess = (raw[rows, cols] - capped[rows, cols]) * share
    above = np.maximum(known - np.nanmedian(blk, axis=1)[:, None], 0.0)
    weight = above / np.maximum(above.sum(axis=1, keepdims=True), 1e-12)
    reduced = np.where(np.isnan(blk), np.nan, np.maximum(known - excess[:, None] * weight, 0.0))
    view = out[:, start:].reshape(n, nb, length)
    view[rows, cols] = reduced
    fview = day_flag[:, start:].reshape(n, nb, length)
    fview[rows, cols] = weight > 0
    return out, day_flag
