"""forecast_state.scheduled_day: the tenant-local day whose scheduled re-forecast was claimed

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("forecast_state", sa.Column("scheduled_day", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("forecast_state", "scheduled_day")
