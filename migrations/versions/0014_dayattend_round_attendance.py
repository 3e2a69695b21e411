"""Who takes part in a round: the registration desk's check-in.

Revision ID: 0014_dayattend
Revises: 0010_feedback
Create Date: 2026-12-05 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_dayattend'
down_revision = '0011_dayforfeit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'round_attendance',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('adjudicator_id', sa.Integer(), nullable=True),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['adjudicator_id'], ['adjudicators.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('round_id', 'team_id'),
        sa.UniqueConstraint('round_id', 'adjudicator_id'),
    )
    with op.batch_alter_table('round_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_attendance_round_id'), ['round_id'], unique=False)


def downgrade():
    with op.batch_alter_table('round_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_attendance_round_id'))
    op.drop_table('round_attendance')
