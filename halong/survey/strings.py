"""The field-survey app's own words, translated on the server and shipped in its page.

The questions, their help texts and the validation messages come with the
worklist (the survey form's and the standard's); these are the app's frame.
``%(name)s`` placeholders are filled in by the app.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

STRINGS = {
    "title": _("Field survey"),
    "online": _("Online"),
    "offline": _("Offline"),
    "loading": _("Loading…"),
    "sign_in": _("Sign in again"),
    "login_needed": _(
        "Your session has ended. Sign in again to send the surveys: they stay saved on this phone."
    ),
    "my_worklists": _("Villages on this phone"),
    "no_worklists": _("No village downloaded yet."),
    "counts": _("To do: %(todo)s · To sync: %(sync)s · Done: %(done)s"),
    "downloaded_at": _("Downloaded %(when)s"),
    "download_title": _("Download a village"),
    "round": _("Review"),
    "village": _("Village / residential group"),
    "households_to_survey": _("%(count)s to survey"),
    "download_button": _("Download the worklist"),
    "downloaded": _("%(count)s households of %(village)s saved on this phone."),
    "download_failed": _("The worklist could not be downloaded."),
    "no_rounds": _("No open review in your wards and communes."),
    "offline_no_download": _("Connect to the network to download a village."),
    "offline_no_sync": _("Offline: the surveys stay queued and are sent when you reconnect."),
    "sync_button": _("Send the queued surveys (%(count)s)"),
    "synced_count": _("%(count)s survey(s) sent and classified."),
    "conflict_count": _("%(count)s changed on the server meanwhile: choose what to keep."),
    "invalid_count": _("%(count)s need a correction."),
    "connection_lost": _(
        "The connection dropped. The surveys not yet confirmed stay queued and are sent again "
        "safely (never twice)."
    ),
    "server_error": _("The server could not take the survey now; it stays queued."),
    "back_home": _("Villages"),
    "tab_todo": pgettext_lazy("field survey list", "To do"),
    "tab_sync": pgettext_lazy("field survey list", "To sync"),
    "tab_done": pgettext_lazy("field survey list", "Done"),
    "nothing_here": _("Nothing here."),
    "members_count": _("%(count)s members"),
    "last_result": _("%(year)s: %(status)s"),
    "state_draft": _("Draft"),
    "state_ready": _("Queued"),
    "state_conflict": _("Conflict"),
    "state_invalid": _("Needs a correction"),
    "step_general": _("Household and members"),
    "step_income": _("Income or A-score"),
    "step_deprivations": _("Deprivations"),
    "step_causes": _("Causes and needs"),
    "step_review": _("Check and queue"),
    "age": _("%(age)s years"),
    "disability": _("disability"),
    "bhyt": _("Health insurance"),
    "bhyt_until": _("valid until %(date)s"),
    "bhyt_valid": _("valid"),
    "bhyt_none": _("no card"),
    "members_on_register": _("Members on the register"),
    "from_register": _("%(count)s (the members on the register)"),
    "suggested": _("Suggested from the members' facts"),
    "suggested_count": _("%(count)s suggested from the members' facts: confirm or untick."),
    "none": _("— none —"),
    "previous": _("Back"),
    "next": _("Next"),
    "mark_ready": _("Queue for sending"),
    "saved_locally": _("Every answer is saved on this phone as you enter it."),
    "saved_at": _("Saved on this phone at %(time)s."),
    "fix_errors": _("Correct the answers marked in red."),
    "queued_online": _("Queued; sending now."),
    "queued_offline": _("Queued; it will be sent when you are back online."),
    "queued_note": _("Queued for sending. Changing an answer takes it out of the queue."),
    "invalid_note": _("The server did not accept this survey: correct the answers shown."),
    "result_title": _("Recorded and classified on the server"),
    "national": _("National standard"),
    "provincial": _("Provincial standard"),
    "recorded_by": _("Surveyed by %(who)s on %(date)s"),
    "changed_by": _("Last changed by %(who)s at %(when)s."),
    "household_changed": _("Changed on the household"),
    "no_field_conflicts": _("Your answers do not clash with the changes: send them again."),
    "keep_mine": _("Keep mine"),
    "keep_theirs": _("Keep the server's"),
    "choose_each": _("Choose which value to keep for: %(fields)s."),
    "resolve_button": _("Keep these values and send again"),
}


def ui_strings() -> dict[str, str]:
    return {key: str(text) for key, text in STRINGS.items()}
