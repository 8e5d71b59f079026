"""rate buckets of the public API

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_bucket",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("burst", sa.Float(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_rate_bucket_tenant_id"), "rate_bucket", ["tenant_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_rate_bucket_tenant_id"), table_name="rate_bucket")
    op.drop_table("rate_bucket")
