"""Django's own strings that its Vietnamese catalogue lacks (new in Django 6).

Listing them here keeps them in ``locale/vi/LC_MESSAGES/django.po`` when
``makemessages`` runs, so our catalogue can translate them. Never imported.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
    gettext_noop("“%(pk)s” is not a valid value."),
    gettext_noop("Constraint “%(name)s” is violated."),
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
    gettext_noop("Enter a complete value."),
    gettext_noop("Conflicting form data submitted. Please try again."),
]
