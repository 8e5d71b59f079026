"""Unit tests of the kit's pure pieces: crypto, redaction, tokens, paging, ETags, clock, deletions."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from platform_kit.auth import AUDIENCE, ISSUER, InternalKeys, Principal
from platform_kit.clock import Clock, parse_instant
from platform_kit.crypto import DecryptionError, KeyRing, new_key_spec
from platform_kit.http.paging import parse_sort
from platform_kit.http.problems import Problem
from platform_kit.logging import JsonFormatter, RedactingFilter, secrets
from platform_kit.messaging.sync import plan_deletions


def test_envelope_encryption_round_trip_and_tamper_detection() -> None:
    ring = KeyRing.parse(new_key_spec("k1"))
    token = ring.encrypt("katana-api-key-123", aad="conn-1")
    assert "katana-api-key-123" not in token
    assert token.startswith("v1.k1.")
    assert ring.decrypt(token, aad="conn-1") == "katana-api-key-123"
    with pytest.raises(DecryptionError):
        ring.decrypt(token, aad="conn-2")
    head, kid, wrapped, body = token.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionError):
        ring.decrypt(".".join((head, kid, wrapped, flipped)), aad="conn-1")


def test_key_rotation_rewraps_without_touching_ciphertext() -> None:
    old = new_key_spec("old")
    ring = KeyRing.parse(old)
    token = ring.encrypt("secret-value", aad="a")
    rotated = KeyRing.parse(f"{new_key_spec('new')},{old}")
    rewrapped = rotated.rewrap(token)
    assert rewrapped.split(".")[1] == "new"
    assert rewrapped.split(".")[3] == token.split(".")[3]
    only_new = KeyRing.parse(new_key_spec("zzz"))
    with pytest.raises(DecryptionError, match="unknown key id"):
        only_new.decrypt(token, aad="a")
    assert rotated.decrypt(rewrapped, aad="a") == "secret-value"


def test_log_lines_never_contain_registered_secrets_or_bearer_tokens() -> None:
    secret = "kat_" + uuid.uuid4().hex
    secrets.add(secret)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("redaction-test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("connecting with key %s", secret)
        logger.info("headers: {'Authorization': 'Bearer abc.def.ghi'} api_key=plain123456")
        try:
            raise ValueError(f"provider rejected {secret}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    captured = stream.getvalue()
    assert secret not in captured
    assert "abc.def.ghi" not in captured
    assert "plain123456" not in captured
    assert captured.count("[REDACTED]") >= 4
    for line in captured.splitlines():
        json.loads(line)


def test_internal_tokens_verify_and_reject_forgeries() -> None:
    keys = InternalKeys.generate("kid-a")
    tenant = uuid.uuid4()
    principal = keys.verify(keys.mint_for(tenant, "u1", ["planner"]))
    assert principal.tenant_id == tenant
    assert principal.has_role("viewer") and principal.has_role("planner")
    assert not principal.has_role("approver")

    other = InternalKeys.generate("kid-a")
    with pytest.raises(Problem) as forged:
        keys.verify(other.mint_for(tenant, "u1", ["admin"]))
    assert forged.value.status == 401
    with pytest.raises(Problem):
        keys.verify(keys.mint_for(tenant, "u1", ["admin"], ttl_s=-5))
    now = int(datetime.now(UTC).timestamp())
    private = keys._private[0][1]
    wrong_audience = jwt.encode(
        {
            "iss": ISSUER,
            "aud": "somebody-else",
            "iat": now,
            "exp": now + 60,
            "tenant_id": str(tenant),
            "sub": "u",
        },
        private,
        algorithm="EdDSA",
        headers={"kid": "kid-a"},
    )
    with pytest.raises(Problem):
        keys.verify(wrong_audience)
    no_tenant = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60, "sub": "u"},
        private,
        algorithm="EdDSA",
        headers={"kid": "kid-a"},
    )
    with pytest.raises(Problem):
        keys.verify(no_tenant)


def test_role_ranking() -> None:
    admin = Principal(uuid.uuid4(), "u", frozenset({"admin"}))
    viewer = Principal(uuid.uuid4(), "u", frozenset({"viewer"}))
    assert all(admin.has_role(r) for r in ("viewer", "planner", "approver", "admin"))
    assert viewer.has_role("viewer") and not viewer.has_role("planner")


def test_sort_parsing_allows_only_listed_fields() -> None:
    keys = parse_sort("-value,sku", ["sku", "value"])
    assert [(k.field, k.descending) for k in keys] == [("value", True), ("sku", False)]
    assert [k.field for k in parse_sort(None, ["sku"], default="sku")] == ["sku"]
    with pytest.raises(Problem) as bad:
        parse_sort("password", ["sku"])
    assert bad.value.status == 422


def test_clock_offset_keeps_running_and_buckets_local_days() -> None:
    clock = Clock(parse_instant("2026-01-31T23:30:00Z"))
    assert clock.now() - parse_instant("2026-01-31T23:30:00Z") < timedelta(seconds=5)
    assert clock.today("UTC").isoformat() == "2026-01-31"
    assert clock.today("Pacific/Auckland").isoformat() == "2026-02-01"
    before = clock.now()
    clock.advance(timedelta(days=2))
    assert clock.now() - before >= timedelta(days=2)


def test_deletions_need_a_complete_read_and_a_sane_fraction() -> None:
    snapshot = [f"id{i}" for i in range(100)]
    assert plan_deletions(snapshot, snapshot[:99], read_complete=True).to_delete == {"id99"}
    partial = plan_deletions(snapshot, snapshot[:99], read_complete=False)
    assert partial.to_delete == frozenset() and "incomplete" in (partial.blocked_reason or "")
    wiped = plan_deletions(snapshot, snapshot[:10], read_complete=True)
    assert wiped.to_delete == frozenset() and "refusing" in (wiped.blocked_reason or "")
    assert (
        len(plan_deletions(snapshot, snapshot[:10], read_complete=True, force=True).to_delete) == 90
    )


@pytest.mark.asyncio
async def test_service_metric_families_are_created_once_per_registry() -> None:
    from prometheus_client import generate_latest

    from platform_kit.metrics import KitMetrics
    from platform_kit.service_metrics import PlanMetrics, SyncMetrics

    metrics = KitMetrics("svc")
    sync = metrics.family(SyncMetrics)
    assert metrics.family(SyncMetrics) is sync
    hook = sync.response_hook("katana")

    class Response:
        status_code = 429

    await hook(Response())
    metrics.family(PlanMetrics).recompute_duration.observe(0.2)
    text = generate_latest(metrics.registry).decode()
    assert 'restock_provider_requests_total{provider="katana",status="429"} 1.0' in text
    assert "restock_plan_recompute_duration_seconds_count 1.0" in text
    assert "tenant" not in "".join(line.split("{")[1] for line in text.splitlines() if "{" in line)
    other = KitMetrics("other")
    assert "restock_sync_jobs_total" not in generate_latest(other.registry).decode()
