from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("common", "0002_data_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="TableVersion",
            fields=[
                ("name", models.CharField(max_length=63, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
            options={
                "db_table": "common_tableversion",
            },
        ),
    ]
