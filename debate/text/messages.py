"""Human text for error codes, in the user's language. The tab logic and the services return
codes; pages and the API turn them into words here."""
from flask_babel import gettext as _
from flask_babel import ngettext

ERRORS = {
    "required": lambda p: _("This field is required."),
    "not_a_number": lambda p: _("Enter a number, for example 27.5 or 27,5."),
    "out_of_range": lambda p: _("Must be between %(min)s and %(max)s.", min=p.get("min"), max=p.get("max")),
    "off_step": lambda p: _("Must be a multiple of %(step)s.", step=p.get("step")),
    "not_in_team": lambda p: _("This speaker is not in this team."),
    "duplicate_speaker": lambda p: _("The same speaker cannot give two speeches."),
    "substitute_other_school": lambda p: _("A substitute must be a registered reserve of the same school."),
    "debate_forfeited": lambda p: _("This debate was decided by a forfeit: no ballot is taken."),
    "already_forfeited": lambda p: _("A forfeit is already recorded for this debate."),
    "not_forfeited": lambda p: _("No forfeit is recorded for this debate."),
    "forfeit_after_ballots": lambda p: _("This debate already has confirmed ballots: correct them instead of "
                                         "recording a forfeit."),
    "invalid_winner": lambda p: _("Choose the winning team."),
    "tie": lambda p: _("The totals are equal: a debate cannot end in a tie."),
    "low_point_win": lambda p: _("The winning team must have the higher total."),
    "unknown_region": lambda p: _("Unknown region: %(value)s.", value=p.get("value", "")),
    "unknown_league": lambda p: _("Unknown league."),
    "unknown_language": lambda p: _("Unknown language: %(value)s (use kk, ru or en).", value=p.get("value", "")),
    "two_speakers": lambda p: _("A team has exactly two speakers."),
    "duplicate_name": lambda p: _("The name %(value)s is already used in this tournament.", value=p.get("value", "")),
    "duplicate_in_file": lambda p: _("The name %(value)s appears twice in this file.", value=p.get("value", "")),
    "no_languages": lambda p: _("An adjudicator needs at least one language."),
    "too_long": lambda p: _("Too long (at most %(max)s characters).", max=p.get("max")),
    "not_a_bool": lambda p: _("Enter yes or no."),
    "wrong_type": lambda p: _("This value has the wrong type."),
    "unknown_team": lambda p: _("Unknown team: %(value)s.", value=p.get("value", "")),
    "choice": lambda p: (_("%(value)s is not one of the allowed values.", value=p["value"]) if p.get("value")
                         else _("Not one of the allowed values.")),
    "duplicate_choice": lambda p: _("%(value)s is chosen twice.", value=p.get("value", "")),
    "not_an_integer": lambda p: _("Enter a whole number."),
    "not_text": lambda p: _("Enter text."),
    "not_a_list": lambda p: _("Enter a list."),
    "not_an_object": lambda p: _("Enter an object of settings."),
    "bad_degrees": lambda p: _("Write placing:degree pairs, for example champion:1,finalist:2 (degrees 1 to 3)."),
    "degree_order": lambda p: _("A better placing cannot get a lower diploma than a worse one."),
    "unknown_timezone": lambda p: _("Unknown time zone: %(value)s (for example Asia/Almaty).", value=p.get("value", "")),
    "three_numbers": lambda p: _("Enter three numbers."),
    "split_sum": lambda p: _("The three parts must add up to 100 (now %(total)s).", total=p.get("total")),
    "odd_panel": lambda p: _("A panel must have an odd number of adjudicators (1, 3, 5 or 7)."),
    "min_not_below_max": lambda p: _("The lowest mark must be below the highest."),
    "positive": lambda p: _("Must be greater than zero."),
    "break_too_small": lambda p: _("At least two teams must break."),
    "unknown_setting": lambda p: _("Unknown setting."),
    "bad_url": lambda p: _("Enter a full address such as http://192.168.1.20:5000"),
    "unknown_problem": lambda p: _("This report no longer exists."),
    "bad_date": lambda p: _("Enter a date as YYYY-MM-DD."),
    "unknown_stage": lambda p: _("Unknown stage."),
    "bad_file": lambda p: _("The file could not be read as CSV or XLSX."),
    "missing_columns": lambda p: _("Missing columns: %(value)s.", value=p.get("value", "")),
    "empty_file": lambda p: _("The file has no rows."),
    "import_too_large": lambda p: _("The file is too large to import: at most %(rows)s rows, %(columns)s columns "
                                    "and %(mb)s MB. Split it into several files.",
                                    rows=p.get("rows"), columns=p.get("columns"), mb=p.get("mb")),
    "draw_exists": lambda p: _("This round already has a draw. Regenerate it to replace it."),
    "draw_released": lambda p: _("The draw has been released; withdraw it before regenerating."),
    "ballots_exist": lambda p: _("Ballots have been entered for this round; its draw can no longer be replaced."),
    "previous_round_unconfirmed": lambda p: _("An earlier round still has debates without confirmed results."),
    "too_few_teams": lambda p: _("A league needs at least two teams for a draw."),
    "no_draw": lambda p: _("This round has no draw yet."),
    "no_motion": lambda p: _("Enter the motion before releasing it."),
    "no_break": lambda p: _("Announce the league's break before its elimination rounds."),
    "tie_at_cut": lambda p: _("Teams are tied at the break cut: choose which of them go through, or widen the break."),
    "not_on_panel": lambda p: _("You are not on the panel of this debate."),
    "client_id_used": lambda p: _("This submission id was already used by someone else."),
    "superseded": lambda p: _("A newer version of this ballot exists."),
    "own_entry": lambda p: _("A ballot you entered must be confirmed by another member of the tab staff."),
    "busy": lambda p: _("The server is busy; please send again."),
    "draw_not_released": lambda p: _("The draw of this round has not been released yet: ballots open when it is."),
    "ballot_closed": lambda p: _("The result of this debate is already confirmed: the ballot is closed. "
                                 "Only the tournament director can correct it now."),
    "not_released": lambda p: _("This has not been released yet."),
    "nomination_tie": lambda p: _("%(award)s (%(league)s) is tied between %(names)s: choose one before preparing "
                                  "the documents.", award=_("Best orator") if p.get("kind") == "orator"
                                  else _("Best analyst"), league=p.get("league", ""),
                                  names=", ".join(p.get("names") or [])),
    "diploma_tie": lambda p: ngettext(
        "%(names)s (%(league)s) are tied at the cut of the diplomas of degree %(degree)s, with %(num)s place "
        "left: decide which of them get it before preparing the documents.",
        "%(names)s (%(league)s) are tied at the cut of the diplomas of degree %(degree)s, with %(num)s places "
        "left: decide which of them get it before preparing the documents.",
        p.get("places") or 0, names=", ".join(p.get("names") or []), league=p.get("league", ""),
        degree={1: "I", 2: "II", 3: "III"}.get(p.get("degree"), p.get("degree"))),
    "diploma_tie_changed": lambda p: _("The standings changed: this tie is no longer open. Look at the awards page again."),
    "include_wrong_count": lambda p: _("Choose exactly %(n)s of the tied teams.", n=p.get("expected")),
    "include_not_at_cut": lambda p: _("Only teams tied at the cut can be chosen."),
    "locked": lambda p: _("This seat is locked; unlock it first."),
    "same_team": lambda p: _("Choose two different teams."),
    "same_adjudicator": lambda p: _("Choose two different adjudicators."),
    "neither_seated": lambda p: _("Neither adjudicator is on a panel in this round."),
    "unknown_room": lambda p: _("Choose a room of this tournament."),
    "unknown_adjudicator": lambda p: _("Choose an adjudicator of this tournament."),
    "unknown_debate": lambda p: _("This debate is not in this round's draw."),
    "not_seated": lambda p: _("This adjudicator is not on a panel in this round."),
    "teams_not_in_draw": lambda p: _("Both teams must be in this round's draw of the same league."),
    "round_locked": lambda p: _("This round has confirmed results, so its draw is locked: no regeneration and no "
                                "change of teams, sides, panels or rooms. A director can unlock it for a correction."),
    "round_not_locked": lambda p: _("This round is not locked."),
    "rematch": lambda p: _("These teams have met before."),
    "same_school": lambda p: _("Both teams are from the same school."),
    "adj_language": lambda p: _("%(name)s does not judge in this league's language.", name=p.get("name")),
    "adj_own_school": lambda p: _("%(name)s is from the same school as a team.", name=p.get("name")),
    "adj_coached_team": lambda p: _("%(name)s coaches one of the teams.", name=p.get("name")),
    "adj_team_conflict": lambda p: _("%(name)s has a declared conflict with a team.", name=p.get("name")),
    "adj_school_conflict": lambda p: _("%(name)s has a declared conflict with a team's school.", name=p.get("name")),
    "adj_own_region": lambda p: _("%(name)s is from the same region as a team.", name=p.get("name")),
    "adj_twice": lambda p: _("%(name)s sits on two panels in this round.", name=p.get("name")),
    "adj_earlier_stage": lambda p: _("%(name)s judged one of these teams at an earlier stage of this competition.",
                                     name=p.get("name")),
    "adj_excluded_teacher": lambda p: _("%(name)s may not judge at this tournament: a teacher whose pupils compete.",
                                        name=p.get("name")),
    "adj_excluded_earlier_stage": lambda p: _("%(name)s may not judge at this tournament: judged at an earlier stage.",
                                              name=p.get("name")),
    "adj_unavailable": lambda p: _("%(name)s is marked as unavailable.", name=p.get("name")),
    "room_not_accessible": lambda p: _("Room %(room)s is not step-free, but someone in this debate needs a step-free room.",
                                       room=p.get("room")),
    "even_panel": lambda p: _("The panel has an even number of adjudicators (%(n)s).", n=p.get("n")),
    "chair_count": lambda p: _("The panel needs exactly one chair."),
    "not_enough_adjudicators": lambda p: _("Not enough adjudicators for a full panel."),
    "no_language_match": lambda p: _("No free adjudicator judges in this language."),
    "conflicts": lambda p: _("Every free adjudicator has a conflict with these teams."),
    "appeal_bad_team_or_code": lambda p: _("The team name or the appeal code is not right."),
    "appeal_too_many_attempts": lambda p: ngettext(
        "Too many wrong codes from here. Wait %(num)s minute and try again, or ask the tab room.",
        "Too many wrong codes from here. Wait %(num)s minutes and try again, or ask the tab room.",
        max(1, -(-int(p.get("seconds") or 60) // 60))),
    "not_found": lambda p: _("There is nothing at this address."),
    "cannot_create_tournament": lambda p: _("Only a director's account can create tournaments; tab staff work in "
                                            "the tournaments they are added to."),
    "wrong_password": lambda p: _("The current password is not right."),
    "passwords_differ": lambda p: _("The two new passwords are not the same."),
    "password_too_short": lambda p: _("At least %(min)s characters.", min=p.get("min", 8)),
    "appeal_unknown_round": lambda p: _("Choose the round."),
    "appeal_not_open": lambda p: _("The results of this round have not been announced yet."),
    "appeal_window_closed": lambda p: _("The time for appeals against this round has ended."),
    "appeal_team_not_in_round": lambda p: _("This team did not debate in that round."),
    "appeal_text_length": lambda p: _("Describe the appeal in 10 to 3000 characters."),
    "appeal_already_pending": lambda p: _("This team already has an appeal on this round waiting for a decision."),
    "appeal_no_debate": lambda p: _("The appeal is not about a debate, so there is no ballot to correct."),
    "season_cycle": lambda p: _("A tournament cannot qualify into itself or an earlier stage of its own season."),
    "not_qualifying_target": lambda p: _("This tournament does not qualify into that one."),
    "tournament_not_finished": lambda p: _("The tournament is not finished: some debates have no confirmed result."),
    "promote_how": lambda p: _("Choose the breaking teams or a number of teams per league."),
    # deletion, withdrawal, undo and erasure (services/participants.py, services/erasure.py)
    "in_use": lambda p: (
        _("Room %(name)s is used in a draw, so it is kept. Mark it as not available instead.", name=p.get("name"))
        if p.get("kind") == "room" else
        _("%(name)s appears in a draw or a ballot and cannot be deleted: their results must stay. "
          "Withdraw them instead.", name=p.get("name"))),
    "round_has_ballots": lambda p: _("This round has ballots or confirmed results, so it cannot be deleted."),
    "later_round_exists": lambda p: _("A later round exists: delete the later rounds first."),
    "elimination_drawn": lambda p: _("An elimination round of this league has been drawn: the break can no "
                                     "longer be undone."),
    "elimination_round_exists": lambda p: _("An elimination round of this league exists: delete that round "
                                            "first, then undo the break."),
    "no_break_made": lambda p: _("This league has no break to undo."),
    "not_confirmed": lambda p: _("Type the tournament's name exactly to confirm."),
    "confirm_delete": lambda p: _("Tick the box to confirm the deletion."),
    "bad_private_key": lambda p: _("This private link is not valid. It may have been re-issued: ask the tab room."),
    "feedback_unknown_debate": lambda p: _("No such debate."),
    "feedback_other_tournament": lambda p: _("This debate belongs to another tournament."),
    "feedback_not_in_debate": lambda p: _("Only the teams and the panel of this debate can give feedback on it."),
    "feedback_not_your_target": lambda p: _("You cannot give feedback on this adjudicator for this debate."),
    # attendance and replacements (services/attendance.py, services/replacements.py)
    "checkin_after_draw": lambda p: _("This round is already drawn: who takes part can no longer change. "
                                      "For an adjudicator who leaves, use the replacement on the round page."),
    "unknown_participant": lambda p: _("No such team or adjudicator in this round of this tournament."),
    "participant_withdrawn": lambda p: _("%(name)s is withdrawn from the tournament. Bring them back first.",
                                         name=p.get("name")),
    "no_round_to_check_in": lambda p: _("There is no round waiting for its draw, so there is nothing to check in for."),
    "not_a_list_of_ids": lambda p: _("Give a list of ids."),
    "unknown_ids": lambda p: _("Not in this tournament: %(ids)s.", ids=p.get("ids")),
    "withdrawn_ids": lambda p: _("Withdrawn from the tournament: %(ids)s.", ids=p.get("ids")),
    "feedback_score": lambda p: _("Choose a whole number from %(min)s to %(max)s.", min=p.get("min", 1),
                                  max=p.get("max", 5)),
}


def error_text(code: str, params: dict | None = None) -> str:
    maker = ERRORS.get(code)
    return maker(params or {}) if maker else code


def field_errors_text(errors: dict) -> dict:
    """{field: (code, params)} or {field: code} → {field: text}."""
    out = {}
    for field, err in errors.items():
        code, params = (err if isinstance(err, tuple) else (err, {}))
        out[field] = error_text(code, params)
    return out


# The audit log in words: what each recorded action means, in the reader's language.
AUDIT_ACTIONS = {
    "round_created": lambda: _("round created"),
    "draw_generated": lambda: _("draw generated"),
    "panels_allocated": lambda: _("adjudicators allocated"),
    "round_released": lambda: _("published or withdrawn"),
    "round_silent": lambda: _("silent setting changed"),
    "round_unlocked": lambda: _("unlocked for correction"),
    "round_relocked": lambda: _("locked again"),
    "round_confirmed": lambda: _("results of the round confirmed"),
    "panel_move": lambda: _("adjudicator moved"),
    "panel_remove": lambda: _("adjudicator removed from a panel"),
    "panel_chair": lambda: _("chair changed"),
    "panel_lock": lambda: _("seat locked or unlocked"),
    "panel_swap": lambda: _("adjudicators swapped"),
    "teams_swapped": lambda: _("teams swapped"),
    "sides_swapped": lambda: _("sides swapped"),
    "room_set": lambda: _("room changed"),
    "rooms_assigned": lambda: _("rooms re-assigned"),
    "ballot_submitted": lambda: _("ballot received from a phone"),
    "ballot_entered_for_adjudicator": lambda: _("paper ballot typed in"),
    "ballot_confirmed": lambda: _("ballot confirmed"),
    "ballot_after_close": lambda: _("ballot arrived after confirmation (not counted)"),
    "result_confirmed": lambda: _("result confirmed"),
    "result_corrected": lambda: _("result corrected"),
    "forfeit_recorded": lambda: _("forfeit recorded"),
    "forfeit_undone": lambda: _("forfeit undone"),
    "team_withdrawn": lambda: _("team withdrawn"),
    "team_reinstated": lambda: _("team taking part again"),
    "adjudicator_withdrawn": lambda: _("adjudicator withdrawn"),
    "adjudicator_reinstated": lambda: _("adjudicator taking part again"),
    "room_unavailable": lambda: _("room taken out of use"),
    "room_available": lambda: _("room back in use"),
    "break_made": lambda: _("break announced"),
    "awards_prepared": lambda: _("documents prepared"),
    "nominee_chosen": lambda: _("nomination decided"),
    "diploma_tie_decided": lambda: _("tie at a diploma cut decided"),
    "appeal_filed": lambda: _("appeal filed"),
    "appeal_decided": lambda: _("appeal decided"),
    "appeal_correction_entered": lambda: _("correction entered after an appeal"),
    "staff_added": lambda: _("tab staff added"),
    "staff_removed": lambda: _("tab staff removed"),
    "qualifies_for_set": lambda: _("next stage set"),
    "teams_promoted": lambda: _("teams promoted to the next stage"),
    "teams_received": lambda: _("teams received from the previous stage"),
    "problem_answered": lambda: _("problem report answered"),
    "problem_resolved": lambda: _("problem report resolved"),
    "settings_changed": lambda: _("tournament settings changed"),
    "availability_set": lambda: _("who takes part in the round set"),
    "checked_in": lambda: _("checked in for the round"),
    "checked_out": lambda: _("marked absent for the round"),
    "adjudicators_replaced": lambda: _("adjudicators who left replaced"),
}


def audit_action_text(code: str) -> str:
    maker = AUDIT_ACTIONS.get(code)
    return maker() if maker else code.replace("_", " ")
