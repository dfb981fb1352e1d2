"""Trigram indexes for the ``q`` search of the large tables (PostgreSQL only; see apps.common.search)."""

from django.db import migrations

from apps.common.search import trigram_index_operations


class Migration(migrations.Migration):
    dependencies = [("evidence", "0002_scale_indexes")]

    operations = [
        *trigram_index_operations("evidence.Source", ["url", "title", "publisher", "document_symbol"]),
    ]
