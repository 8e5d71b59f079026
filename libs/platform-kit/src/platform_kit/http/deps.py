"""Annotated dependency aliases routers use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from platform_kit.db.uow import UnitOfWork
from platform_kit.service import Runtime, get_runtime

RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _uow_factory(request: Request) -> Callable[[], UnitOfWork]:
    return get_runtime(request).uow


UowFactoryDep = Annotated[Callable[[], UnitOfWork], Depends(_uow_factory)]
