"""PostgreSQL: the annual report's two assessment indexes carry the columns it reads.

``assessment_household_year`` is probed once per listed household (its
decision of the previous year, a later decision of the same year, "ever
listed") and once per household given support or with a plan action (its
unit as of the year); ``assessment_listed_year_unit`` gives the poor and
near-poor lists of a year. With the columns those queries read stored in the
indexes (``INCLUDE``) they become index-only scans instead of one heap fetch
per row (bench/README.md).

The indexes keep their names, keys and conditions, so the model's ``Meta``
and Django's migration state are unchanged: ``Index(include=...)`` in
``Meta`` would make every system check on SQLite warn (models.W040), and
SQLite has no covering indexes. Other databases keep the indexes of 0003.
"""

from django.db import migrations

TABLE = "households_assessment"
HOUSEHOLD_YEAR = f"CREATE INDEX assessment_household_year ON {TABLE} (household_id, year DESC, id DESC)"
LISTED_YEAR_UNIT = (
    f"CREATE INDEX assessment_listed_year_unit ON {TABLE} (year, unit_id)%s "
    "WHERE status = 'recognised' AND recorded_status IN ('poor', 'near_poor')"
)
COVERING = {
    "assessment_household_year": HOUSEHOLD_YEAR
    + " INCLUDE (unit_id, status, recorded_status, provincial_status, member_count)",
    "assessment_listed_year_unit": LISTED_YEAR_UNIT
    % " INCLUDE (household_id, id, recorded_status, member_count)",
}
PLAIN = {
    "assessment_household_year": HOUSEHOLD_YEAR,
    "assessment_listed_year_unit": LISTED_YEAR_UNIT % "",
}


def _rebuild(statements):
    def rebuild(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, create_sql in statements.items():
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.execute(create_sql)

    return rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0003_scale_indexes"),
    ]

    operations = [
        migrations.RunPython(_rebuild(COVERING), _rebuild(PLAIN), elidable=False),
    ]
