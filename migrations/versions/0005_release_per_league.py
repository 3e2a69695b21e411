"""Release per league: a round's draw, motion and results are released for each of its leagues
on its own (round_leagues.draw_released, motion_released_at, results_released), copied from the
round's former flags.

Revision ID: 0005_release
Revises: 0004
Create Date: 2026-12-05 21:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_release'
down_revision = '0006_datasafe'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round_leagues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw_released', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('motion_released_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('results_released', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE round_leagues SET "
               "draw_released = (SELECT rounds.draw_released FROM rounds WHERE rounds.id = round_leagues.round_id), "
               "motion_released_at = (SELECT rounds.motion_released_at FROM rounds "
               "WHERE rounds.id = round_leagues.round_id), "
               "results_released = (SELECT rounds.results_released FROM rounds "
               "WHERE rounds.id = round_leagues.round_id)")
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('draw_released')
        batch_op.drop_column('motion_released_at')
        batch_op.drop_column('results_released')


def downgrade():
    # A round is released where every one of its leagues is (the earliest motion release time).
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draw_released', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('motion_released_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('results_released', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE rounds SET "
               "draw_released = NOT EXISTS (SELECT 1 FROM round_leagues rl WHERE rl.round_id = rounds.id "
               "AND NOT rl.draw_released), "
               "motion_released_at = CASE WHEN EXISTS (SELECT 1 FROM round_leagues rl WHERE rl.round_id = rounds.id "
               "AND rl.motion_released_at IS NULL) THEN NULL ELSE (SELECT MIN(rl.motion_released_at) "
               "FROM round_leagues rl WHERE rl.round_id = rounds.id) END, "
               "results_released = NOT EXISTS (SELECT 1 FROM round_leagues rl WHERE rl.round_id = rounds.id "
               "AND NOT rl.results_released)")
    with op.batch_alter_table('round_leagues', schema=None) as batch_op:
        batch_op.drop_column('results_released')
        batch_op.drop_column('motion_released_at')
        batch_op.drop_column('draw_released')
