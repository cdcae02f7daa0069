from django import template

register = template.Library()


def display_name(user) -> str:
    """How a person is named on pages: full name, else username, else a dash."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def person(user) -> str:
    return display_name(user)
