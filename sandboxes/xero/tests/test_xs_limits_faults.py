"""Rate limits (minute, concurrent, day), limit headers, fault switches and stats."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from xero_sandbox.config import Limits, Timings
from xero_sandbox.testing import RunningSandbox, fast_config, running_sandbox


def test_minute_limit_then_window_reset() -> None:
    with running_sandbox(fast_config(timings=Timings(minute_window=3.0))) as sb:
        token = sb.connect()
        headers = sb.api_headers(token, sb.tenant_ids[0])
        with httpx.Client(headers=headers) as client:
            first = client.get(f"{sb.api_url}/Organisation")
            assert first.headers["X-MinLimit-Remaining"] == "59"
            assert "X-DayLimit-Remaining" in first.headers
            assert "X-AppMinLimit-Remaining" in first.headers
            for _ in range(59):
                assert client.get(f"{sb.api_url}/Organisation").status_code == 200
            limited = client.get(f"{sb.api_url}/Organisation")
            assert limited.status_code == 429
            assert limited.headers["X-Rate-Limit-Problem"] == "minute"
            assert 1 <= int(limited.headers["Retry-After"]) <= 3
            other = {**headers, "xero-tenant-id": sb.tenant_ids[1]}
            assert client.get(f"{sb.api_url}/Organisation", headers=other).status_code == 200
            time.sleep(int(limited.headers["Retry-After"]))
            assert client.get(f"{sb.api_url}/Organisation").status_code == 200
        stats = sb.admin("GET", "/stats")
        assert stats["rate_limited_per_tenant"][sb.tenant_ids[0]] == 1
        assert stats["calls_per_tenant"][sb.tenant_ids[0]] == 61


def test_day_limit_resets_when_the_clock_moves_a_day() -> None:
    with running_sandbox(fast_config(limits=Limits(per_day=5))) as sb:
        token = sb.connect()
        headers = sb.api_headers(token, sb.tenant_ids[0])
        for expected in ("4", "3", "2", "1", "0"):
            assert (
                sb.http.get(f"{sb.api_url}/Items", headers=headers).headers["X-DayLimit-Remaining"]
                == expected
            )
        limited = sb.http.get(f"{sb.api_url}/Items", headers=headers)
        assert limited.status_code == 429
        assert limited.headers["X-Rate-Limit-Problem"] == "day"
        assert int(limited.headers["Retry-After"]) > 80000
        sb.advance(86400)
        token = sb.connect()
        assert (
            sb.http.get(
                f"{sb.api_url}/Items", headers=sb.api_headers(token, sb.tenant_ids[0])
            ).status_code
            == 200
        )


def test_concurrency_limit_of_five_in_flight(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    sandbox.admin("POST", "/faults", {"slow_calls": 8, "slow_seconds": 0.6})
    headers = sandbox.api_headers(token, sandbox.tenant_ids[0])
    results: list[httpx.Response] = []
    lock = threading.Lock()

    def call() -> None:
        response = sandbox.http.get(f"{sandbox.api_url}/Organisation", headers=headers, timeout=10)
        with lock:
            results.append(response)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 5
    assert codes.count(429) == 3
    problems = {r.headers.get("X-Rate-Limit-Problem") for r in results if r.status_code == 429}
    assert problems == {"concurrent"}
    assert sandbox.admin("GET", "/stats")["rate_limit_problems"] == {"concurrent": 3}


def test_limits_can_be_switched_off(sandbox: RunningSandbox) -> None:
    sandbox.admin("POST", "/limits", {"enabled": False})
    token = sandbox.connect()
    with httpx.Client(headers=sandbox.api_headers(token, sandbox.tenant_ids[0])) as client:
        codes = {client.get(f"{sandbox.api_url}/Organisation").status_code for _ in range(70)}
    assert codes == {200}


def test_fault_switches(sandbox: RunningSandbox) -> None:
    token = sandbox.connect()
    url = f"{sandbox.api_url}/Organisation"
    headers = sandbox.api_headers(token, sandbox.tenant_ids[0])
    sandbox.admin("POST", "/faults", {"burst_429": 2, "burst_429_retry_after": 7})
    burst = [sandbox.http.get(url, headers=headers) for _ in range(3)]
    assert [r.status_code for r in burst] == [429, 429, 200]
    assert burst[0].headers["Retry-After"] == "7"
    assert burst[0].headers["X-Rate-Limit-Problem"] == "minute"
    sandbox.admin("POST", "/faults", {"errors_500": 1})
    assert sandbox.http.get(url, headers=headers).status_code == 500
    assert sandbox.http.get(url, headers=headers).status_code == 200
    sandbox.admin("POST", "/faults", {"drop_connections": 1})
    with pytest.raises(httpx.TransportError):
        sandbox.http.get(url, headers=headers)
    assert sandbox.http.get(url, headers=headers).status_code == 200
    sandbox.admin("POST", "/faults", {"slow_calls": 1, "slow_seconds": 0.5})
    with pytest.raises(httpx.ReadTimeout):
        sandbox.http.get(url, headers=headers, timeout=0.2)
    stats = sandbox.admin("GET", "/stats")
    assert stats["errors_500"] == 1
    assert stats["dropped_connections"] == 1
    assert stats["rate_limited_total"] == 2
    bad = sandbox.http.post(f"{sandbox.base_url}/_sandbox/faults", json={"nonsense": 1})
    assert bad.status_code == 400
