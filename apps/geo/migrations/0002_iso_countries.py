"""Fill the country table with every ISO 3166-1 country from pycountry."""

import pycountry
from django.db import migrations
from django.utils import timezone

PERMANENT_MEMBERS = {"CN", "FR", "RU", "GB", "US"}


def add_countries(apps, schema_editor):
    Country = apps.get_model("geo", "Country")
    existing = set(Country.objects.values_list("iso2", flat=True))
    now = timezone.now()
    Country.objects.bulk_create(
        Country(
            iso2=entry.alpha_2,
            iso3=entry.alpha_3,
            name=getattr(entry, "common_name", None) or entry.name,
            official_name=getattr(entry, "official_name", ""),
            aliases=[entry.name] if getattr(entry, "common_name", None) else [],
            sc_permanent_member=entry.alpha_2 in PERMANENT_MEMBERS,
            created_at=now,
            updated_at=now,
        )
        for entry in pycountry.countries
        if entry.alpha_2 not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(add_countries, migrations.RunPython.noop)]
