"""Forfeits (the side that did not appear) and reserve speakers (position 3).

Revision ID: 0011_dayforfeit
Revises: 0004
Create Date: 2026-12-05 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_dayforfeit'
down_revision = '0005_secauth'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('debates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('forfeit', sa.String(length=3), nullable=True))
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserve', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f('ck_speakers_position'), type_='check')
        batch_op.create_check_constraint('position', 'position IN (1, 2, 3)')


def downgrade():
    op.execute("DELETE FROM speakers WHERE position = 3")  # reserves cannot exist in the old schema
    with op.batch_alter_table('speakers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_speakers_position'), type_='check')
        batch_op.create_check_constraint('position', 'position IN (1, 2)')
        batch_op.drop_column('reserve')
    with op.batch_alter_table('debates', schema=None) as batch_op:
        batch_op.drop_column('forfeit')
