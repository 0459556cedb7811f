"""The result cache's index (the workspace's `.auteur/cache/cache.sqlite3` when one machine):
node outputs by Merkle key, read and written by the server replicas and their workers."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_cache"
down_revision = "0004_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("results", sa.Column("key", sa.Text, primary_key=True),
                    sa.Column("outputs", sa.Text, nullable=False))


def downgrade() -> None:
    op.drop_table("results")
