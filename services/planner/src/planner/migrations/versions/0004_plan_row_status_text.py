"""plan_row.status_text: what to do and by when, one sentence per row

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("plan_row", sa.Column("status_text", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("plan_row", "status_text")
