import uuid
from datetime import date

import numpy as np

from forecaster.domain.assemble import SeriesPanel
from forecaster.domain.forecasting import run_engine
from forecaster.handlers.publish import contract_record


def _panel(y: np.ndarray, first: list[int], disc: list[bool]) -> SeriesPanel:
    n = y.shape[0]
    return SeriesPanel(
        [(f"v{i}", "wh") for i in range(n)],
        [f"S{i}" for i in range(n)],
        y,
        np.zeros_like(y, bool),
        np.array(first, np.intp),
        np.zeros(n, np.intp),
        np.array(disc),
        np.full(n, 35, np.intp),
    )


def test_engine_results_map_to_valid_contract_records() -> None:
    rng = np.random.default_rng(1)
    t = 400
    y = np.zeros((3, t))
    y[0] = rng.poisson(4, t)
    y[2] = rng.poisson(1, t)
    out = run_engine(_panel(y, [0, t, 0], [False, False, True]), date(2026, 1, 31))
    assert [r.as_of for r in out] == [date(2026, 2, 1)] * 3
    smooth, empty, disc = out
    assert smooth.demand_class in ("smooth", "erratic") and smooth.candidates
    assert 2.5 < smooth.mean[:28].mean() < 5.5
    assert empty.model == "zero" and empty.demand_class == "dead" and empty.mean.sum() == 0
    assert disc.demand_class == "discontinued" and disc.mean.sum() == 0
    for r in out:
        rec = contract_record(
            variant_id=r.variant_id,
            location_id=r.location_id,
            sku=r.sku,
            run_id=uuid.uuid4(),
            as_of=r.as_of,
            mean=r.mean,
            quantiles=r.quantiles,
            model=r.model,
            params=r.params,
            backtest_error=r.backtest_error,
            bias=r.bias,
            horizon_days=r.backtest_horizon_days,
            demand_class=r.demand_class,
            granularity=r.granularity,
            distribution=r.distribution,
        )
        assert len(rec.mean_daily) == 365 and len(rec.cumulative_quantiles) == 13
    assert smooth.history_start == date(2026, 1, 31).fromordinal(
        date(2026, 1, 31).toordinal() - t + 1
    )
