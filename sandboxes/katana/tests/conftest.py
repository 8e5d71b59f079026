import pytest

from katana_sandbox.testing import running_sandbox
from restock_demodata import DatasetSpec, generate

SPEC = DatasetSpec(seed=3, skus=40, locations=2, years=0.5)


SPEC_B = DatasetSpec(seed=4, skus=20, years=0.5)


@pytest.fixture(scope="session")
def dataset():
    return generate(SPEC)


@pytest.fixture(scope="session")
def dataset_b():
    return generate(SPEC_B)


@pytest.fixture
def sandbox(dataset, dataset_b):
    """A fresh, unthrottled sandbox with two accounts."""
    with running_sandbox(
        accounts={"key-a": SPEC, "key-b": SPEC_B},
        dataset={"key-a": dataset, "key-b": dataset_b},
        rate_limit=0,
        webhook_retry_delays_s=(0.05, 0.1, 0.1),
    ) as sb:
        yield sb


@pytest.fixture
def client(sandbox):
    with sandbox.client(timeout=5.0) as c:
        yield c
