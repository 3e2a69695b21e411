"""Issued documents can be flagged as superseded by a correction of a result (to re-issue).

Revision ID: 0008_ballotwin
Revises: 0004
Create Date: 2026-12-05 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_ballotwin'
down_revision = '0010_feedback'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_column('superseded')
