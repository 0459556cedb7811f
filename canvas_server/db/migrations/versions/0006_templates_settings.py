"""The workspace's templates (files in `Library/Pipeline_Templates/` with one server) and each
principal's ComfyUI settings (`comfy.settings.json` in its user folder), shared by replicas."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_templates_settings"
down_revision = "0005_cache"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("templates", sa.Column("id", sa.Text, primary_key=True),
                    sa.Column("doc", sa.Text, nullable=False), sa.Column("author", sa.Text),
                    sa.Column("saved_at", sa.Double, nullable=False))
    op.create_table("user_settings", sa.Column("principal", sa.Text, primary_key=True),
                    sa.Column("doc", sa.Text, nullable=False))


def downgrade() -> None:
    op.drop_table("user_settings")
    op.drop_table("templates")
