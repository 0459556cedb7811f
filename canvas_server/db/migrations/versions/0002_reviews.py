"""Human review (SQLite run store v6): the agent node types and review state of each run, and
every decision a person made about a run's waiting nodes."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_reviews"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("agents", sa.Text))
    op.add_column("runs", sa.Column("review_state", sa.Text))
    op.create_table(
        "review_decisions",
        sa.Column("run_id", sa.Text, nullable=False), sa.Column("node_id", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False), sa.Column("note", sa.Text), sa.Column("content", sa.Text),
        sa.Column("principal", sa.Text, nullable=False), sa.Column("decided_at", sa.Double, nullable=False),
        sa.Column("ord", sa.BigInteger, primary_key=True, autoincrement=True),
    )
    op.create_index("review_decisions_run", "review_decisions", ["run_id"])


def downgrade() -> None:
    op.drop_index("review_decisions_run", "review_decisions")
    op.drop_table("review_decisions")
    op.drop_column("runs", "review_state")
    op.drop_column("runs", "agents")
