"""Benchmark: calls/s the Xero sandbox serves with rate limits off.

Starts ``python -m xero_sandbox --no-limits`` in a subprocess (so the load generator does
not share its GIL), connects through the auth-code flow with auto-consent, then runs
client threads against a mix of endpoints. Warm-up is excluded; the rate is measured over
a steady window that is printed with the result.

    uv run python bench/bench_xero_sandbox.py [--seconds 20] [--threads 4]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import parse_qs, urlencode, urlparse

import httpx

CLIENT_ID = "BENCHCLIENT"
SECRET = "bench-secret"
REDIRECT = "http://localhost/cb"
SCOPES = "offline_access accounting.transactions accounting.settings.read accounting.contacts.read"
PATHS = (
    "Organisation",
    "Items",
    "Invoices?page=1&pageSize=100",
    "PurchaseOrders?page=1",
    "Contacts",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("sandbox exited early")
        try:
            httpx.get(f"{base}/_sandbox/clock", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("sandbox did not start")


def connect(base: str) -> tuple[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPES,
        "state": "b",
    }
    location = httpx.get(f"{base}/identity/connect/authorize?{urlencode(params)}").headers[
        "location"
    ]
    code = parse_qs(urlparse(location).query)["code"][0]
    token = httpx.post(
        f"{base}/connect/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        auth=(CLIENT_ID, SECRET),
    ).json()
    tenant = httpx.get(
        f"{base}/connections", headers={"Authorization": f"Bearer {token['access_token']}"}
    ).json()[0]["tenantId"]
    return token["access_token"], tenant


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--items", type=int, default=200)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "xero_sandbox",
        "--port",
        str(port),
        "--no-limits",
        "--auto-consent",
        "--items",
        str(args.items),
        "--years",
        "1",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        SECRET,
        "--redirect-uri",
        REDIRECT,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    try:
        wait_up(base, proc)
        access, tenant = connect(base)
        headers = {"Authorization": f"Bearer {access}", "xero-tenant-id": tenant}
        counts = [0] * args.threads
        errors = [0] * args.threads
        measuring = threading.Event()
        stop = threading.Event()

        def worker(i: int) -> None:
            with httpx.Client(headers=headers, timeout=30) as client:
                n = 0
                while not stop.is_set():
                    ok = (
                        client.get(f"{base}/api.xro/2.0/{PATHS[n % len(PATHS)]}").status_code == 200
                    )
                    n += 1
                    if measuring.is_set():
                        counts[i] += 1
                        errors[i] += 0 if ok else 1

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        time.sleep(args.warmup)
        measuring.set()
        started = time.perf_counter()
        time.sleep(args.seconds)
        measuring.clear()
        elapsed = time.perf_counter() - started
        stop.set()
        for t in threads:
            t.join()
        total = sum(counts)
        mix = ", ".join(PATHS)
        print(f"xero sandbox, limits off, {args.threads} client threads, endpoint mix {mix}")
        print(f"rate window: {elapsed:.1f} s steady (after {args.warmup:.0f} s warm-up)")
        print(f"calls served: {total}  non-200: {sum(errors)}  rate: {total / elapsed:.1f} calls/s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
