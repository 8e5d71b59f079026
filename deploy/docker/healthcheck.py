"""Container HEALTHCHECK: GET /healthz on the port the service's own settings resolve."""

import importlib
import pathlib
import sys
import urllib.request

module = pathlib.Path("/app/service-module").read_text().strip()
settings = importlib.import_module(f"{module}.settings").Settings()
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}/healthz", timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except OSError:
    sys.exit(1)
