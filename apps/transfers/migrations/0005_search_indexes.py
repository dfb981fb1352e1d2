"""Trigram indexes for the ``q`` search of the large tables (PostgreSQL only; see apps.common.search)."""

from django.db import migrations

from apps.common.search import trigram_index_operations


class Migration(migrations.Migration):
    dependencies = [("transfers", "0004_scale_indexes")]

    operations = [
        *trigram_index_operations("transfers.Transfer", ["reference", "items", "description"]),
        *trigram_index_operations("transfers.Claim", ["reference", "quote", "summary"]),
    ]
