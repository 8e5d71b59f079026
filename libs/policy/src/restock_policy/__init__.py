"""Restock inventory-policy math: safety stock, reorder points, order quantities, simulation."""

from restock_policy.bom import explode_bom, roll_up_locations
from restock_policy.explain import explain_row
from restock_policy.inputs import (
    STATUS_NAMES,
    PolicyInputs,
    PolicyResult,
    discrete_from_class,
)
from restock_policy.kernel import plan
from restock_policy.leadtimes import LearnedLeadTimes, learn_lead_times

__all__ = [
    "STATUS_NAMES",
    "LearnedLeadTimes",
    "PolicyInputs",
    "PolicyResult",
    "discrete_from_class",
    "explain_row",
    "explode_bom",
    "learn_lead_times",
    "plan",
    "roll_up_locations",
]
