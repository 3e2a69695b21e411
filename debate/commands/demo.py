"""A demo tournament shaped like the 2023 republican stage: Kazakh, Russian and English
leagues of 20 teams each (one per region), 90 adjudicators (a full panel of three for each of
a round's 30 debates), 30 rooms."""
import random
import secrets
from datetime import date

from sqlalchemy import select

from ..core.extensions import db
from ..models import Tournament, TournamentMember, User
from ..services.accounts import create_user
from ..services.participants import add_adjudicators, add_rooms, add_teams
from ..services.tournaments import create_tournament
from ..text.regions import REGIONS

KK_FIRST_F = ["Аружан", "Әлия", "Дана", "Айару", "Інжу", "Мадина", "Жансая", "Ақбота", "Томирис", "Гүлназ", "Аяжан", "Нұрай"]
KK_FIRST_M = ["Нұрсұлтан", "Дәулет", "Ерасыл", "Алихан", "Бекзат", "Әлішер", "Санжар", "Темірлан", "Ержан", "Асылжан", "Мұхаммед", "Ұлан"]
KK_LAST = ["Серік", "Нұрлан", "Асқар", "Бауыржан", "Жақсылық", "Қайрат", "Ерлан", "Мұрат", "Тимур", "Өмірзақ", "Болат", "Ғалым"]
RU_FIRST_F = ["Анастасия", "Екатерина", "Алина", "Дарья", "Виктория", "Полина", "Софья", "Ксения", "Камила", "Диана"]
RU_FIRST_M = ["Александр", "Дмитрий", "Максим", "Артём", "Никита", "Илья", "Тимур", "Руслан", "Кирилл", "Арсений"]
RU_LAST = ["Иванов", "Ким", "Петренко", "Смирнов", "Ахметов", "Кузнецов", "Цой", "Орлов", "Садыков", "Волков", "Юсупов", "Лебедев"]
EN_FIRST = ["Aruzhan", "Alikhan", "Dana", "Yerassyl", "Madina", "Sanzhar", "Tomiris", "Daniyar", "Amina", "Timur", "Adina", "Nursultan"]
EN_LAST = ["Serikova", "Nurlanov", "Askarova", "Bekov", "Zhaksylykova", "Kairatov", "Omarova", "Sadykov", "Kim", "Abenova", "Tulegenov", "Muratova"]
KK_WORDS = ["Тұлпар", "Сұңқар", "Бәйтерек", "Қыран", "Арман", "Шапағат", "Ақжол", "Жігер", "Көкжал", "Алау"]
RU_WORDS = ["Логос", "Вектор", "Аргумент", "Диалог", "Прометей", "Эврика", "Полемика", "Сократ", "Орион", "Форум"]
EN_WORDS = ["Falcons", "Logos", "Rhetors", "Voices", "Eagles", "Titans", "Scholars", "Comets", "Lions", "Horizon"]
SHORT = {"abai": ("Семей", "Семей", "Semey"), "akmola": ("Көкшетау", "Кокшетау", "Kokshetau"),
         "aktobe": ("Ақтөбе", "Актобе", "Aktobe"), "almaty_region": ("Қонаев", "Конаев", "Konayev"),
         "atyrau": ("Атырау", "Атырау", "Atyrau"), "east_kazakhstan": ("Өскемен", "Усть-Каменогорск", "Oskemen"),
         "jambyl": ("Тараз", "Тараз", "Taraz"), "jetisu": ("Талдықорған", "Талдыкорган", "Taldykorgan"),
         "karaganda": ("Қарағанды", "Караганда", "Karaganda"), "kostanay": ("Қостанай", "Костанай", "Kostanay"),
         "kyzylorda": ("Қызылорда", "Кызылорда", "Kyzylorda"), "mangystau": ("Ақтау", "Актау", "Aktau"),
         "north_kazakhstan": ("Петропавл", "Петропавловск", "Petropavl"), "pavlodar": ("Павлодар", "Павлодар", "Pavlodar"),
         "turkistan": ("Түркістан", "Туркестан", "Turkistan"), "ulytau": ("Жезқазған", "Жезказган", "Zhezkazgan"),
         "west_kazakhstan": ("Орал", "Уральск", "Oral"), "astana": ("Астана", "Астана", "Astana"),
         "almaty": ("Алматы", "Алматы", "Almaty"), "shymkent": ("Шымкент", "Шымкент", "Shymkent")}


def _kk_person(rng, female):
    first = rng.choice(KK_FIRST_F if female else KK_FIRST_M)
    return f"{first} {rng.choice(KK_LAST)}{'қызы' if female else 'ұлы'}"


def _ru_person(rng, female):
    first = rng.choice(RU_FIRST_F if female else RU_FIRST_M)
    last = rng.choice(RU_LAST)
    if female and last[-2:] in ("ов", "ев", "ин"):
        last += "а"
    return f"{first} {last}"


def _en_person(rng, female):
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


PEOPLE = {"kk": _kk_person, "ru": _ru_person, "en": _en_person}


def _school(lang, code, rng):
    n = rng.randint(1, 80)
    city = SHORT[code]
    if lang == "kk":
        return rng.choice([f"№{n} мектеп-гимназия", f"{city[0]} Назарбаев Зияткерлік мектебі", f"№{n} IT-лицей"])
    if lang == "ru":
        return rng.choice([f"Школа-лицей №{n}", f"Гимназия №{n}", f"НИШ ФМН г. {city[1]}"])
    return rng.choice([f"NIS {city[2]}", f"School-Lyceum No. {n}", f"{city[2]} Gymnasium No. {n}"])


def _teams(lang, rng):
    words = {"kk": KK_WORDS, "ru": RU_WORDS, "en": EN_WORDS}[lang]
    idx = {"kk": 0, "ru": 1, "en": 2}[lang]
    items = []
    for code, *_names in REGIONS:
        city = SHORT[code][idx]
        name = f"{city} «{rng.choice(words)}»" if lang != "en" else f"{city} {rng.choice(words)}"
        speakers = []
        for _ in range(2):
            female = rng.random() < 0.55
            speakers.append({"name": PEOPLE[lang](rng, female), "grade": rng.choice([9, 10, 11]),
                             "gender": "f" if female else "m"})
        items.append({"league": lang, "name": name,
                      "school": {"name": _school(lang, code, rng), "region": code, "rural": rng.random() < 0.25},
                      "coach": {"name": PEOPLE[lang](rng, rng.random() < 0.7), "contact": f"+7 7{rng.randint(0, 99):02d} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"},
                      "speakers": speakers})
    return items


def _adjudicators(rng, count=90):
    codes = [r[0] for r in REGIONS]
    langsets = [["kk"], ["kk", "ru"], ["ru"], ["ru", "en"], ["en", "kk"], ["kk", "ru", "en"]]
    weights = [3, 4, 2, 2, 1, 1]
    items, names = [], set()
    while len(items) < count:
        langs = rng.choices(langsets, weights)[0]
        person = PEOPLE["kk" if "kk" in langs else langs[0]](rng, rng.random() < 0.6)
        if person in names:
            continue
        names.add(person)
        items.append({"name": person, "region": rng.choice(codes), "languages": langs,
                      "school": rng.choice(["Университет", "Назарбаев Университеті", "ЕНУ", "КазНУ", "Мектеп мұғалімі", "Debate Club"]),
                      "rating": round(rng.uniform(3, 9.5) * 2) / 2})
    # Every league needs enough adjudicators in its language: guarantee 33 per language.
    for lang in ("kk", "ru", "en"):
        have = [a for a in items if lang in a["languages"]]
        for a in items:
            if len(have) >= 33:
                break
            if lang not in a["languages"]:
                a["languages"].append(lang)
                have.append(a)
    return items


def create_demo(username="demo", password=None, seed=2023):
    rng = random.Random(seed)
    password = password or secrets.token_urlsafe(9)
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = create_user(username, password)
    else:
        user.set_password(password)
    t = create_tournament(user, {
        # As in the 2023 report: 16-17 February 2023 at the Palace of Schoolchildren in Astana.
        "name": "Ұлттық мектеп пікірсайыс турнирі — республикалық кезең", "stage": "republican",
        "names": {"kk": "Ұлттық мектеп пікірсайыс турнирі — республикалық кезең",
                  "ru": "Национальный школьный турнир по дебатам — республиканский этап",
                  "en": "National School Debate Tournament — Republican Stage"},
        "start_date": date(2023, 2, 16).isoformat(), "end_date": date(2023, 2, 17).isoformat(),
        "venue": "Астана, Әл-Фараби атындағы Оқушылар сарайы",
        "leagues": [{"language": "kk", "name": "Қазақ лигасы"}, {"language": "ru", "name": "Русская лига"},
                    {"language": "en", "name": "English league"}],
    })
    # The venue in each league's language (the settings form's per-language venue; the API has `venue` only).
    t.venues = {"kk": "Астана, Әл-Фараби атындағы Оқушылар сарайы",
                "ru": "Астана, Дворец школьников имени аль-Фараби",
                "en": "Al-Farabi Palace of Schoolchildren, Astana"}
    for lang in ("kk", "ru", "en"):
        add_teams(t, _teams(lang, rng))
    add_adjudicators(t, _adjudicators(rng))
    add_rooms(t, [{"name": f"{floor}{n:02d}", "accessible": floor == 1, "priority": 3 - floor}
                  for floor in (1, 2, 3) for n in range(1, 11)])
    return t, user, password


def existing_demo(username="demo"):
    """The demo director and their newest tournament, if the demo was made before."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        return None
    t = db.session.scalar(select(Tournament).join(TournamentMember).where(TournamentMember.user_id == user.id)
                          .order_by(Tournament.id.desc()).limit(1))
    return (t, user) if t else None
