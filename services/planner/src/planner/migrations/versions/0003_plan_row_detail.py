"""plan_row_detail: explanation and settings document apart from the list columns

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 02:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_row_detail",
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("variant_id", sa.String(length=128), nullable=False),
        sa.Column("location_id", sa.String(length=128), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("settings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("settings_hash", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "variant_id", "location_id", name=op.f("pk_plan_row_detail")
        ),
    )
    op.execute(
        "INSERT INTO plan_row_detail "
        "SELECT tenant_id, variant_id, location_id, coalesce(explanation, ''), settings, "
        "coalesce(settings_hash, '') FROM plan_row"
    )
    op.drop_column("plan_row", "explanation")
    op.drop_column("plan_row", "settings_hash")
    op.drop_column("plan_row", "settings")
    op.create_index(
        "ix_plan_row_category", "plan_row", ["tenant_id", "category"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_plan_row_category", table_name="plan_row")
    op.add_column("plan_row", sa.Column("settings", postgresql.JSONB(astext_type=sa.Text())))
    op.add_column("plan_row", sa.Column("settings_hash", sa.Text()))
    op.add_column("plan_row", sa.Column("explanation", sa.Text()))
    op.execute(
        "UPDATE plan_row p SET settings = d.settings, settings_hash = d.settings_hash, "
        "explanation = d.explanation FROM plan_row_detail d WHERE d.tenant_id = p.tenant_id "
        "AND d.variant_id = p.variant_id AND d.location_id = p.location_id"
    )
    op.execute("UPDATE plan_row SET settings = '{}'::jsonb WHERE settings IS NULL")
    op.alter_column("plan_row", "settings", nullable=False)
    op.drop_table("plan_row_detail")
