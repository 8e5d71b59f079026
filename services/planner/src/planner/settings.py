"""Settings of planner (environment prefix ``PLANNER_``)."""

from platform_kit.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PLANNER_")

    service_name: str = "planner"
    port: int = 8004
