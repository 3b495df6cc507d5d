"""Import and export of households and review results (Excel / CSV).

``columns`` describes the sheets, ``reading`` opens uploaded files safely,
``importing`` validates and writes them, ``exporting`` streams them out in
the same columns so an export can be imported again unchanged.
"""
