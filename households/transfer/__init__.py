"""Import and export of households and review results (Excel / CSV).

``columns`` describes the sheets, ``reading`` opens uploaded files safely,
``importing`` is the entry point of an import: ``cells`` parses each cell,
``planning`` (with ``reference``, ``household_rows`` and ``member_rows``)
checks every row and plans the changes, ``writing`` applies them in one
transaction through ``bulk``. ``exporting`` (with ``xlsx``) streams the same
columns out, so an export can be imported again unchanged; ``resources``
serves the admin's export.
"""
