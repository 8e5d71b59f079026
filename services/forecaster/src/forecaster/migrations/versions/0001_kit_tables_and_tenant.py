"""Kit tables and tenant (shared schema from platform_kit.db.kit_schema).

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from platform_kit.db.kit_schema import downgrade_kit_schema_v1, upgrade_kit_schema_v1

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    upgrade_kit_schema_v1()


def downgrade() -> None:
    downgrade_kit_schema_v1()
