"""Sorting names the way readers of each language expect.

Kazakh uses the Cyrillic alphabet with nine extra letters in their own places
(а ә б в г ғ д е ё ж з и й к қ л м н ң о ө п р с т у ұ ү ф х һ ц ч ш щ ъ ы і ь э ю я);
Russian collation is the same order without them. Latin names sort after Cyrillic ones,
alphabetically, case-insensitive.
"""
KAZAKH_ALPHABET = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
_RANK = {ch: i for i, ch in enumerate(KAZAKH_ALPHABET)}
_LATIN_BASE = 100
_OTHER_BASE = 1000


def _char_key(ch: str) -> int:
    if ch in _RANK:
        return _RANK[ch]
    if "a" <= ch <= "z":
        return _LATIN_BASE + ord(ch) - ord("a")
    if ch.isdigit():
        return -20 + int(ch)
    if ch.isspace():
        return -30
    return _OTHER_BASE + ord(ch)


def sort_key(name: str) -> tuple:
    """Works for Kazakh and Russian alike: the Russian letters keep their relative order."""
    return tuple(_char_key(ch) for ch in (name or "").casefold())
