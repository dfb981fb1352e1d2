"""Existing authorities get the ``binds`` their kind implies: an intergovernmental one (the
UN Security Council) binds all states, a state or the EU binds its own jurisdiction."""

from django.db import migrations


def fill_binds(apps, schema_editor):
    Authority = apps.get_model("sanctions", "Authority")
    Authority.objects.filter(binds="", kind="intergovernmental").update(binds="all_states")
    Authority.objects.filter(binds="").exclude(kind="intergovernmental").update(binds="own_jurisdiction")


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0003_contravention_contract")]

    operations = [migrations.RunPython(fill_binds, migrations.RunPython.noop)]
