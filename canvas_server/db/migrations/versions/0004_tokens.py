"""The API tokens (the workspace's `tokens.json` when one server): one document, versioned so
two writers never overwrite each other."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_tokens"
down_revision = "0003_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "token_document",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("doc", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="token_document_one_row"),
    )


def downgrade() -> None:
    op.drop_table("token_document")
