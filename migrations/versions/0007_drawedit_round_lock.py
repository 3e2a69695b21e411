"""A confirmed round is locked; a director's unlock for a correction is kept on the round.

Revision ID: 0007_drawedit
Revises: 0004
Create Date: 2026-12-05 21:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_drawedit'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unlocked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('unlocked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unlock_reason', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_rounds_unlocked_by_id_users', 'users', ['unlocked_by_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint('fk_rounds_unlocked_by_id_users', type_='foreignkey')
        batch_op.drop_column('unlock_reason')
        batch_op.drop_column('unlocked_by_id')
        batch_op.drop_column('unlocked_at')
