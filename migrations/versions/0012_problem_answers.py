"""Problem reports can be answered from the dashboard; the adjudicator sees the answer.

Revision ID: 0012_problem_answers
Revises: 0007_drawedit
Create Date: 2026-12-05 21:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_problem_answers'
down_revision = '0007_drawedit'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('answered_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_problem_reports_answered_by_id_users', 'users', ['answered_by_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.drop_constraint('fk_problem_reports_answered_by_id_users', type_='foreignkey')
        batch_op.drop_column('answered_by_id')
        batch_op.drop_column('answered_at')
        batch_op.drop_column('answer')
