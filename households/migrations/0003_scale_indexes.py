"""Indexes for a province-scale register (bench/README.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("households", "0002_load_standards"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='assessment',
            index=models.Index(fields=['household', '-year', '-id'], name='assessment_household_year'),
        ),
        migrations.AddIndex(
            model_name='assessment',
            index=models.Index(condition=models.Q(('recorded_status__in', ['poor', 'near_poor']), ('status', 'recognised')), fields=['year', 'unit'], name='assessment_listed_year_unit'),
        ),
    ]
