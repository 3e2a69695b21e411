"""The regions of Kazakhstan with their API codes and names in Kazakh, Russian and English.
The migration that creates the regions table inserts exactly these rows."""

# code, kind, Kazakh, Russian, English
REGIONS = [
    ("abai", "oblast", "Абай облысы", "Абайская область", "Abai Region"),
    ("akmola", "oblast", "Ақмола облысы", "Акмолинская область", "Akmola Region"),
    ("aktobe", "oblast", "Ақтөбе облысы", "Актюбинская область", "Aktobe Region"),
    ("almaty_region", "oblast", "Алматы облысы", "Алматинская область", "Almaty Region"),
    ("atyrau", "oblast", "Атырау облысы", "Атырауская область", "Atyrau Region"),
    ("east_kazakhstan", "oblast", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область",
     "East Kazakhstan Region"),
    ("jambyl", "oblast", "Жамбыл облысы", "Жамбылская область", "Jambyl Region"),
    ("jetisu", "oblast", "Жетісу облысы", "Жетысуская область", "Jetisu Region"),
    ("karaganda", "oblast", "Қарағанды облысы", "Карагандинская область", "Karaganda Region"),
    ("kostanay", "oblast", "Қостанай облысы", "Костанайская область", "Kostanay Region"),
    ("kyzylorda", "oblast", "Қызылорда облысы", "Кызылординская область", "Kyzylorda Region"),
    ("mangystau", "oblast", "Маңғыстау облысы", "Мангистауская область", "Mangystau Region"),
    ("north_kazakhstan", "oblast", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область",
     "North Kazakhstan Region"),
    ("pavlodar", "oblast", "Павлодар облысы", "Павлодарская область", "Pavlodar Region"),
    ("turkistan", "oblast", "Түркістан облысы", "Туркестанская область", "Turkistan Region"),
    ("ulytau", "oblast", "Ұлытау облысы", "Улытауская область", "Ulytau Region"),
    ("west_kazakhstan", "oblast", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
     "West Kazakhstan Region"),
    ("astana", "city", "Астана қаласы", "город Астана", "Astana"),
    ("almaty", "city", "Алматы қаласы", "город Алматы", "Almaty"),
    ("shymkent", "city", "Шымкент қаласы", "город Шымкент", "Shymkent"),
]

REGION_CODES = frozenset(r[0] for r in REGIONS)
