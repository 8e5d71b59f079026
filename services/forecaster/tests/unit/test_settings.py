from typing import Any

from forecaster.handlers.ingest import effective_values
from restock_contracts.planning.v1 import EffectiveSettings


def _settings(horizon: int, lead: str, review: int, policy: list[str]) -> EffectiveSettings:
    def val(v: Any) -> dict[str, Any]:
        return {"value": v, "source": "supplier"}

    return EffectiveSettings.model_validate(
        {
            "variant_id": "v",
            "location_id": "wh",
            "lead_time_days": val(lead),
            "lead_time_std_days": val("0"),
            "service_level": val("0.95"),
            "review_period_days": val(review),
            "forecast_period_override": val(None),
            "moq": val(None),
            "order_multiple": val(None),
            "rounding_rule": val("up"),
            "min_stock": val(None),
            "max_stock": val(None),
            "safety_stock_override": val(None),
            "holding_cost_rate": val("0.2"),
            "ordering_cost": val("10"),
            "stock_basis": val("net"),
            "demand_status_policy": val(policy),
            "po_status_on_create": val("NOT_RECEIVED"),
            "backtest_horizon_days": val(horizon),
        }
    )


def test_backtest_horizon_comes_from_the_setting() -> None:
    assert effective_values(_settings(21, "10", 7, ["open"])) == (21, ["open"])


def test_missing_horizon_falls_back_to_lead_time_plus_review_period() -> None:
    assert effective_values(_settings(0, "10.5", 7, ["fulfilled", "draft"])) == (
        18,
        ["draft", "fulfilled"],
    )


def test_empty_policy_means_the_default_statuses() -> None:
    assert effective_values(_settings(0, "0", 0, [])) == (35, ["fulfilled", "open", "returned"])
