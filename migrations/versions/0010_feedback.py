"""Feedback on adjudicators: team private keys, the adjudicators' prior rating, the feedback table.

Revision ID: 0010_feedback
Revises: 0004
Create Date: 2026-12-05 21:35:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_feedback'
down_revision = '0005_release'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_key', sa.String(length=64), nullable=True))
    conn = op.get_bind()
    teams = sa.table('teams', sa.column('id', sa.Integer), sa.column('private_key', sa.String))
    for (tid,) in conn.execute(sa.select(teams.c.id)).all():
        conn.execute(teams.update().where(teams.c.id == tid).values(private_key=secrets.token_urlsafe(24)))
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.alter_column('private_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_teams_private_key'), ['private_key'])
    with op.batch_alter_table('adjudicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_rating', sa.Float(), nullable=True))
    op.create_table(
        'feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tournament_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('debate_id', sa.Integer(), nullable=False),
        sa.Column('adjudicator_id', sa.Integer(), nullable=False),
        sa.Column('source_kind', sa.String(length=10), nullable=False),
        sa.Column('source_team_id', sa.Integer(), nullable=True),
        sa.Column('source_adjudicator_id', sa.Integer(), nullable=True),
        sa.Column('source_key', sa.String(length=20), nullable=False),
        sa.Column('client_id', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['tournament_id'], ['tournaments.id'], name=op.f('fk_feedback_tournament_id_tournaments'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_feedback_round_id_rounds'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['debate_id'], ['debates.id'], name=op.f('fk_feedback_debate_id_debates'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['adjudicator_id'], ['adjudicators.id'], name=op.f('fk_feedback_adjudicator_id_adjudicators'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_team_id'], ['teams.id'], name=op.f('fk_feedback_source_team_id_teams'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['source_adjudicator_id'], ['adjudicators.id'],
                                name=op.f('fk_feedback_source_adjudicator_id_adjudicators'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
        sa.UniqueConstraint('client_id', name=op.f('uq_feedback_client_id')),
        sa.UniqueConstraint('debate_id', 'adjudicator_id', 'source_key', 'version',
                            name=op.f('uq_feedback_debate_id_adjudicator_id_source_key_version')),
    )
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_tournament_id'), ['tournament_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_debate_id'), ['debate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_feedback_adjudicator_id'), ['adjudicator_id'], unique=False)


def downgrade():
    op.drop_table('feedback')
    with op.batch_alter_table('adjudicators', schema=None) as batch_op:
        batch_op.drop_column('prior_rating')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_teams_private_key'), type_='unique')
        batch_op.drop_column('private_key')
