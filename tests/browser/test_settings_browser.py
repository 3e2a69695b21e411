"""The tournament's settings as real controls, in Chromium: choices shown in the user's language,
the standings order changed with the up/down buttons, and after an invalid entry every field
keeps what was typed and says what is wrong beside it; on a laptop and on a phone."""
import json

import pytest

from tests.browser.conftest import PHONE, SHOTS, demo_director, expect, no_sideways_scroll, shot

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def tid(server):
    return 1  # the demo tournament


def _setting(page, key):
    return page.locator(f"#setting-{key}")


def test_settings_in_kazakh_keep_typed_values_on_error(server, browser, tid):
    ctx, page = demo_director(browser, server, LAPTOP, "kk-KZ")
    page.goto(f"{server.url}/t/{tid}/edit?lang=kk")
    # Enumerations are choices with words in Kazakh, not codes.
    draw = page.locator("select[name=setting_draw_method]")
    assert draw.locator("option").all_inner_texts() == ["Бүктеу: жоғарғысы төменгісіне қарсы",
                                                        "Жылжыту: жоғарғы жартысы төменгі жартысына қарсы"]
    assert "Топ ішіндегі жұптау" in _setting(page, "draw_method").inner_text()
    assert "Жеңістер саны бірдей командалар қалай жұпталады." in _setting(page, "draw_method").inner_text()
    assert "минут" in _setting(page, "prep_minutes").inner_text()
    assert page.locator("input[type=checkbox][name=setting_hide_panels_public]").count() == 1
    shot(page, "settings-kk-laptop")

    # Change things, some of them wrong.
    page.fill("input[name=setting_break_size]", "1")
    page.fill("input[name=setting_speaker_score_step]", "жарты")
    page.fill("input[name=setting_prep_minutes]", "20")
    page.select_option("select[name=setting_pullup_rule]", "highest")
    page.fill("input[name=setting_timezone]", "Asia/Atlantis")
    order = page.locator("ol[data-order] select")
    assert [order.nth(i).input_value() for i in range(3)] == ["wins", "speaker_points", "draw_strength"]
    # the second measure moves up with its button (JavaScript), the order is the selects' values
    page.locator("ol[data-order] li").nth(1).locator("button.move").first.click()
    expect(order.nth(0)).to_have_value("speaker_points")
    assert [order.nth(i).input_value() for i in range(3)] == ["speaker_points", "wins", "draw_strength"]
    page.locator("ol[data-order] li").nth(3).locator("select").select_option("margin")
    page.locator("input[name=setting_diploma_split]").nth(0).fill("25")
    with page.expect_navigation():  # the checks below must read the page the server sent back
        page.locator("button.primary").last.click()

    # Nothing saved; every field shows what was typed, the reason beside the wrong ones.
    assert page.locator("input[name=setting_break_size]").input_value() == "1"
    assert page.locator("input[name=setting_speaker_score_step]").input_value() == "жарты"
    assert page.locator("input[name=setting_prep_minutes]").input_value() == "20"
    assert page.locator("input[name=setting_timezone]").input_value() == "Asia/Atlantis"
    assert page.locator("select[name=setting_pullup_rule]").input_value() == "highest"
    assert [order.nth(i).input_value() for i in range(4)] == ["speaker_points", "wins", "draw_strength", "margin"]
    assert page.locator("input[name=setting_diploma_split]").nth(0).input_value() == "25"
    assert "кемінде екі команда" in _setting(page, "break_size").locator(".error").inner_text()
    assert "Сан енгізіңіз" in _setting(page, "speaker_score_step").locator(".error").inner_text()
    assert "Asia/Atlantis" in _setting(page, "timezone").locator(".error").inner_text()
    assert "105" in _setting(page, "diploma_split").locator(".error").inner_text()
    assert _setting(page, "prep_minutes").locator(".error").count() == 0
    first_error = page.locator(".setting.has-error").first
    first_error.scroll_into_view_if_needed()
    shot(page, "settings-kk-errors")
    stored = json.loads(server.sql("SELECT settings FROM tournaments WHERE id = ?", tid)[0][0] or "{}")
    assert stored.get("prep_minutes") != 20 and stored.get("pullup_rule") != "highest"

    # Put the wrong ones right: the rest is still as typed, and now it is saved.
    page.fill("input[name=setting_break_size]", "4")
    page.fill("input[name=setting_speaker_score_step]", "0,5")
    page.fill("input[name=setting_timezone]", "Asia/Oral")
    page.locator("input[name=setting_diploma_split]").nth(0).fill("20")
    with page.expect_navigation(url=f"**/t/{tid}/"):
        page.locator("button.primary").last.click()
    page.goto(f"{server.url}/t/{tid}/edit?lang=kk")
    assert page.locator("input[name=setting_prep_minutes]").input_value() == "20"
    assert page.locator("input[name=setting_break_size]").input_value() == "4"
    assert page.locator("select[name=setting_pullup_rule]").input_value() == "highest"
    assert [order.nth(i).input_value() for i in range(4)] == ["speaker_points", "wins", "draw_strength", "margin"]
    ctx.close()


def test_settings_on_a_phone(server, browser, tid):
    ctx, page = demo_director(browser, server, PHONE, "ru-RU")
    page.goto(f"{server.url}/t/{tid}/edit?lang=ru")
    assert no_sideways_scroll(page)
    assert "Сгиб: верхний против нижнего" in page.locator("select[name=setting_draw_method]").inner_text()
    page.fill("input[name=setting_diploma_share]", "0")
    with page.expect_navigation():
        page.locator("button.primary").last.click()
    assert page.locator("input[name=setting_diploma_share]").input_value() == "0"
    assert "1" in _setting(page, "diploma_share").locator(".error").inner_text()
    assert no_sideways_scroll(page)
    _setting(page, "diploma_share").scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "settings-ru-phone-error.png"))  # the screen the director sees
    shot(page, "settings-ru-phone")
    ctx.close()
