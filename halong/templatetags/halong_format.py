"""The former name of ``communes_format``: ``{% load halong_format %}`` keeps working."""

from communes.templatetags.communes_format import pct, register, vnd

__all__ = ["pct", "register", "vnd"]
