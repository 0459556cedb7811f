"""The audit log (the workspace's `.auteur/audit.jsonl` when one server): one row per line."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_audit"
down_revision = "0002_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("ts", sa.Double, nullable=False),
        sa.Column("principal", sa.Text, nullable=False),
        sa.Column("run_id", sa.Text),
        sa.Column("entry", sa.Text, nullable=False),
    )
    op.create_index("audit_run", "audit", ["run_id"])


def downgrade() -> None:
    op.drop_index("audit_run", "audit")
    op.drop_table("audit")
