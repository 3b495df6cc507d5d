"""Signals of the register that model signals do not cover."""

from django.dispatch import Signal

#: Sent once a bulk write of the register (a confirmed import) has committed.
#: Bulk statements send no ``post_save``/``post_delete`` per row, so whoever
#: caches figures derived from the register listens here. Keyword arguments:
#: ``unit_ids`` (frozenset of the units whose households were written) and
#: ``actor`` (the user who wrote). ``sender`` is ``Household``.
register_bulk_changed = Signal()
