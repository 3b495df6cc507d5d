"""Which import and export buttons the list and round pages show."""

from django import template

from communes.permissions import Action, has_perm

register = template.Library()


@register.simple_tag(takes_context=True)
def transfer_rights(context, unit=None) -> dict:
    """``{"import": bool, "export": bool}`` for the current user (on ``unit`` when given)."""
    user = context["request"].user
    return {
        "import": unit is None and has_perm(user, Action.IMPORT_HOUSEHOLDS),
        "export": has_perm(user, Action.EXPORT_HOUSEHOLDS, unit),
    }
