"""Subprocess for the crash test: handles one batch, commits the DB, then dies (SIGKILL)
before the Kafka offset commit."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

import probe

from platform_kit.db import Database
from platform_kit.messaging.consumer import ConsumerLoop


class DiesBeforeOffsetCommit(ConsumerLoop):
    async def _commit(self, consumer: Any, tp: Any, messages: Any) -> None:
        print(f"db committed {len(messages)} records; dying before offset commit", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)


async def main(db_url: str, bootstrap: str, group: str) -> None:
    db = Database(db_url, probe.metadata, application_name="killed", pool_size=2)
    loop = probe.new_consumer(db, bootstrap, group, DiesBeforeOffsetCommit)
    await loop.run(asyncio.Event())


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
