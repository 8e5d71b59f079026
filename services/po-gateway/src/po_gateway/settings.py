"""Settings of po-gateway (environment prefix ``PO_GATEWAY_``)."""

from pydantic import Field

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    """po-gateway configuration: where the planner answers, and the sending sweep."""

    model_config = service_config("PO_GATEWAY_")

    service_name: str = "po-gateway"
    port: int = 8005
    planner_url: str = "http://127.0.0.1:8004"
    planner_timeout_s: float = 30.0
    sending_timeout_s: float = Field(
        default=600.0,
        gt=0,
        description="An order sending this long since its latest attempt "
        "is re-requested (same submission).",
    )
    sending_max_requests: int = Field(
        default=3, ge=0, description="Unanswered re-requests in a row before it fails as no_answer."
    )
    sweep_poll_s: float = Field(default=30.0, gt=0, description="How often the sweep looks.")
    sweep_enabled: bool = True
