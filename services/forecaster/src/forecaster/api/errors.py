"""Map domain errors to problem documents."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from forecaster.domain.errors import InvalidOverride, NotFound, VersionConflict
from platform_kit.http.problems import Problem


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Raise :class:`Problem` (404, 422, 412) for the forecaster's domain errors."""
    try:
        yield
    except NotFound as exc:
        raise Problem(404, "Not found", str(exc)) from exc
    except InvalidOverride as exc:
        raise Problem(422, "Invalid override", str(exc)) from exc
    except VersionConflict as exc:
        raise Problem(412, "Precondition failed", str(exc)) from exc
