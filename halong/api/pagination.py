"""Cursor (keyset) pagination: stable while records are added or edited.

Lists are ordered by id; the ``next``/``previous`` links carry an opaque
cursor that encodes the last id seen, so a page never repeats or skips a
record because another one was inserted meanwhile (unlike page numbers).
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = "Records per page (default 50, at most 200)."
    cursor_query_description = "The cursor of a `next` or `previous` link (opaque)."

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound:
            # A damaged cursor is bad input, not a missing page.
            raise ValidationError({self.cursor_query_param: [_("Invalid cursor.")]}) from None
