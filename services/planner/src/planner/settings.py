"""Settings of planner (environment prefix ``PLANNER_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    """Planner configuration; the re-plan debounce is configurable for tests."""

    model_config = service_config("PLANNER_")

    service_name: str = "planner"
    port: int = 8004
    run_replan: bool = True
    replan_poll_s: float = 1.0
    replan_quiet_s: float = 2.0
    dashboard_top: int = 10
