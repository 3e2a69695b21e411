"""The regions of Kazakhstan, with names in Kazakh, Russian and English.

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# A copy, not an import: a migration must keep meaning what it meant when written.
REGIONS = [
    ("abai", "oblast", "Абай облысы", "Абайская область", "Abai Region"),
    ("akmola", "oblast", "Ақмола облысы", "Акмолинская область", "Akmola Region"),
    ("aktobe", "oblast", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    ("almaty_region", "oblast", "Алматы облысы", "Алматинская область", "Almaty Region"),
    ("atyrau", "oblast", "Атырау облысы", "Атырауская область", "Atyrau Region"),
    ("east_kazakhstan", "oblast", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область", "East Kazakhstan Region"),
    ("jambyl", "oblast", "Жамбыл облысы", "Жамбылская область", "Jambyl Region"),
    ("jetisu", "oblast", "Жетісу облысы", "Жетысуская область", "Jetisu Region"),
    ("karaganda", "oblast", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    ("kostanay", "oblast", "Қостанай облысы", "Костанайская область", "Kostanay Region"),
    ("kyzylorda", "oblast", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    ("mangystau", "oblast", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    ("north_kazakhstan", "oblast", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область", "North Kazakhstan Region"),
    ("pavlodar", "oblast", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    ("turkistan", "oblast", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
    ("ulytau", "oblast", "Ұлытау облысы", "Улытауская область", "Ulytau Region"),
    ("west_kazakhstan", "oblast", "Батыс Қазақстан облысы", "Западно-Казахстанская область", "West Kazakhstan Region"),
    ("astana", "city", "Астана қаласы", "город Астана", "Astana"),
    ("almaty", "city", "Алматы қаласы", "город Алматы", "Almaty"),
    ("shymkent", "city", "Шымкент қаласы", "город Шымкент", "Shymkent"),
]


def upgrade():
    regions = sa.table("regions", sa.column("code", sa.String), sa.column("kind", sa.String),
                       sa.column("name_kk", sa.String), sa.column("name_ru", sa.String),
                       sa.column("name_en", sa.String))
    op.bulk_insert(regions, [dict(zip(("code", "kind", "name_kk", "name_ru", "name_en"), r)) for r in REGIONS])


def downgrade():
    op.execute("DELETE FROM regions")
