"""The director's decisions on teams tied at a diploma cut (diplomas by share).

Revision ID: 0014_docs19_diploma_ties
Revises: 0010_feedback
Create Date: 2026-12-05 22:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_docs19_diploma_ties'
down_revision = '0014_dayattend'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'diploma_tie_choices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('league_id', sa.Integer(), nullable=False),
        sa.Column('degree', sa.Integer(), nullable=False),
        sa.Column('tied_team_ids', sa.JSON(), nullable=False),
        sa.Column('chosen_team_ids', sa.JSON(), nullable=False),
        sa.Column('chosen_by_id', sa.Integer(), nullable=True),
        sa.Column('chosen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['league_id'], ['leagues.id'], name=op.f('fk_diploma_tie_choices_league_id_leagues'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['chosen_by_id'], ['users.id'], name=op.f('fk_diploma_tie_choices_chosen_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_diploma_tie_choices')),
        sa.UniqueConstraint('league_id', 'degree', name=op.f('uq_diploma_tie_choices_league_id_degree')),
    )
    with op.batch_alter_table('diploma_tie_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_diploma_tie_choices_league_id'), ['league_id'], unique=False)


def downgrade():
    with op.batch_alter_table('diploma_tie_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_diploma_tie_choices_league_id'))
    op.drop_table('diploma_tie_choices')
