"""Re-wrap stored secrets after an encryption key rotation (architecture §5)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from platform_kit.crypto import KeyRing
from platform_kit.db.engine import Database


async def rewrap_secrets(
    db: Database, ring: KeyRing, columns: Sequence[tuple[str, str, str]]
) -> int:
    """Re-wrap every ciphertext in the given (table, column, aad column) triples with the
    ring's primary key; the ciphertexts themselves are unchanged. Returns rows re-wrapped."""
    total = 0
    for table_name, column_name, _aad in columns:
        table = db.metadata.tables[table_name]
        column = table.c[column_name]
        key = list(table.primary_key.columns)
        async with db.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(*key, column).where(column.is_not(None)).with_for_update()
                )
            ).all()
            for row in rows:
                values = row._mapping
                await session.execute(
                    update(table)
                    .where(*[c == values[c.name] for c in key])
                    .values({column_name: ring.rewrap(values[column_name])})
                )
            total += len(rows)
    return total
