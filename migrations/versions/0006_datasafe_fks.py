"""Deleting a person never deletes results: no ON DELETE CASCADE from a team or an adjudicator
to a debate, a panel seat, a bye, a break seed or a ballot (the app refuses such a deletion and
offers withdrawal instead). Teams can be withdrawn (teams.active); a tournament records when its
pupils' and coaches' personal data were erased (tournaments.anonymised_at).

Revision ID: 0006_datasafe
Revises: 0004
Create Date: 2026-12-05 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_datasafe'
down_revision = '0013_tournament_names'
branch_labels = None
depends_on = None

# (table, column, referred table): each loses its ON DELETE CASCADE (NO ACTION: checked at the
# end of the statement, so deleting a whole tournament still removes everything of it at once).
PERSON_FKS = [
    ('debates', 'gov_team_id', 'teams'),
    ('debates', 'opp_team_id', 'teams'),
    ('debate_adjudicators', 'adjudicator_id', 'adjudicators'),
    ('byes', 'team_id', 'teams'),
    ('break_seeds', 'team_id', 'teams'),
    ('ballots', 'adjudicator_id', 'adjudicators'),
]


def _name(table, column, target):
    return f'fk_{table}_{column}_{target}'


def _recreate(ondelete):
    for table, column, target in PERSON_FKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(_name(table, column, target), type_='foreignkey')
            batch_op.create_foreign_key(_name(table, column, target), target, [column], ['id'], ondelete=ondelete)


def upgrade():
    _recreate(None)
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.add_column(sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False))
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_column('active')
    _recreate('CASCADE')
