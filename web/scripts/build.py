"""Builds ``web/dist`` with ``npm run build`` only when the web sources changed.

The stamp ``dist/.restock-build-hash`` holds a SHA-256 over the sources (``src/``,
``index.html``, the npm manifest and lock, the Vite and TypeScript configs); a build runs
when it is missing or differs. ``npm ci`` runs first when ``node_modules`` is missing.
Used by ``make up`` (deploy/local/stack.py) and the browser tests; run it alone with
``python web/scripts/build.py``.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

WEB = Path(__file__).resolve().parents[1]
INPUTS = ("index.html", "package.json", "package-lock.json", "vite.config.ts", "tsconfig.json")
STAMP = ".restock-build-hash"


def source_hash(web: Path = WEB) -> str:
    """Hex SHA-256 of every build input's relative path and bytes."""
    digest = hashlib.sha256()
    files = [web / name for name in INPUTS] + sorted(
        p for p in (web / "src").rglob("*") if p.is_file()
    )
    for path in files:
        digest.update(str(path.relative_to(web)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def ensure_built(web: Path = WEB) -> tuple[Path, bool]:
    """The dist folder, and whether a build ran; raises ``RuntimeError`` when npm fails.
    Concurrent callers (parallel test workers) build once: the check and the build hold an
    exclusive lock on ``web/.build.lock``."""
    with open(web / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_if_changed(web)


def _build_if_changed(web: Path) -> tuple[Path, bool]:
    dist = web / "dist"
    wanted = source_hash(web)
    stamp = dist / STAMP
    if (dist / "index.html").is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return dist, False
    steps = [["npm", "run", "build", "--silent"]]
    if not (web / "node_modules").is_dir():
        steps.insert(0, ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"])
    for step in steps:
        result = subprocess.run(step, cwd=web, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(step)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            )
    stamp.write_text(wanted)
    return dist, True


def main() -> int:
    try:
        dist, built = ensure_built()
    except RuntimeError as exc:
        print(f"web build: {exc}", file=sys.stderr)
        return 1
    print(f"web app {'built' if built else 'up to date'}: {dist}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
