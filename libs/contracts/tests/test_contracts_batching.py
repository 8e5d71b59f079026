from __future__ import annotations

import pytest
from contracts_samples import HEADER, TENANT, sku_record

from restock_contracts import (
    MAX_MESSAGE_BYTES,
    SKUS,
    ContractError,
    RecordTooLarge,
    split_by_bytes,
)
from restock_contracts.catalog.v1 import SkuRecord, SkusChanged


def _records(count: int, name_length: int = 40) -> list[SkuRecord]:
    return [sku_record(str(1000 + i), name="x" * name_length) for i in range(count)]


def test_no_records_means_no_batches() -> None:
    assert split_by_bytes([]) == []


def test_records_keep_their_order_and_are_all_packed() -> None:
    records = _records(2500, name_length=300)
    batches = split_by_bytes(records)
    assert len(batches) > 1
    assert [r for batch in batches for r in batch] == records


def test_every_wrapped_batch_stays_under_512_kb() -> None:
    records = _records(3000, name_length=500)
    batches = split_by_bytes(records)
    for seq, batch in enumerate(batches, start=1):
        payload = SkusChanged(**{**HEADER, "batch_seq": seq}, records=batch)
        raw = SKUS.envelope(payload, TENANT, "connector-katana").to_json_bytes()
        assert len(raw) <= MAX_MESSAGE_BYTES
    fullest = max(
        len(b"[" + b",".join(r.model_dump_json().encode() for r in b) + b"]") for b in batches
    )
    assert 400_000 < fullest <= 450_000


def test_batch_json_size_never_exceeds_the_budget_exactly() -> None:
    records = _records(50)
    size = len(records[0].model_dump_json().encode())
    budget = 2 + 3 * size + 2  # brackets + three records + two commas
    batches = split_by_bytes(records, max_bytes=budget)
    assert {len(batch) for batch in batches[:-1]} == {3}
    assert split_by_bytes(records, max_bytes=budget - 1)[0] == records[:2]


def test_multibyte_text_is_counted_in_bytes() -> None:
    records = [sku_record(str(i), name="ä" * 1000) for i in range(10)]
    single = len(records[0].model_dump_json().encode())
    batches = split_by_bytes(records, max_bytes=single * 2 + 3)
    assert all(len(batch) == 2 for batch in batches)


def test_a_record_too_big_for_one_message_raises() -> None:
    records = [*_records(2), sku_record("huge", name="x" * 10_000)]
    with pytest.raises(RecordTooLarge, match="record 2 \\(SkuRecord\\)") as info:
        split_by_bytes(records, max_bytes=5_000)
    assert isinstance(info.value, ContractError)
    assert info.value.reason == "record_too_large"


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        split_by_bytes(_records(1), max_bytes=0)
