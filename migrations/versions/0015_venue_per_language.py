"""A tournament's venue in each language (issue 19): `venues` {kk, ru, en} beside `venue`.

`venue` keeps its value and stays the venue a language without its own shows (the API's
`venue`), so nothing is copied: pages and documents of every language read the same venue as
before until the director fills in a language. Downgrading drops the per-language venues;
`venue` is untouched.

Revision ID: 0015_venue_per_language
Revises: 0014_docs19_diploma_ties
Create Date: 2026-12-06 00:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_venue_per_language'
down_revision = '0014_docs19_diploma_ties'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('venues', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('tournaments', schema=None) as batch_op:
        batch_op.drop_column('venues')
