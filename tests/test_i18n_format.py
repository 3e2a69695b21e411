"""Numbers in each language's style, and names in the Kazakh alphabet's order."""
import pytest
from babel.numbers import format_decimal

from debate.text.i18n import fmt_mark
from debate.text.sorting import sort_key


@pytest.mark.parametrize("locale", ["kk", "ru", "en"])
@pytest.mark.parametrize("value", [27.5, 27, 0.25, 108.125, 1234.5, 22000, -3.5, 54.499999])
def test_fmt_mark_matches_babel(app, locale, value):
    with app.test_request_context(f"/?lang={locale}"):
        assert fmt_mark(value) == format_decimal(round(value, 2), format="#,##0.##", locale=locale)


def test_kazakh_decimal_comma(app):
    with app.test_request_context("/?lang=kk"):
        assert fmt_mark(27.5) == "27,5"
    with app.test_request_context("/?lang=en"):
        assert fmt_mark(27.5) == "27.5"


def test_kazakh_alphabet_order():
    names = ["Ұлан", "Әлия", "Үміт", "Айгүл", "Іңкәр", "Өмір", "Ғалым", "Қайрат", "Нұрлан", "Ерлан", "Һамза", "Шоқан", "Zhan"]
    assert sorted(names, key=sort_key) == ["Айгүл", "Әлия", "Ғалым", "Ерлан", "Қайрат", "Нұрлан", "Өмір", "Ұлан",
                                           "Үміт", "Һамза", "Шоқан", "Іңкәр", "Zhan"]


def test_russian_order_is_the_cyrillic_alphabet():
    names = ["Юрий", "Ёлка", "Ежов", "Жанна", "Щукин", "Шилов", "Эмиль", "Яна"]
    assert sorted(names, key=sort_key) == ["Ежов", "Ёлка", "Жанна", "Шилов", "Щукин", "Эмиль", "Юрий", "Яна"]
