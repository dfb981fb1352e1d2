import pytest

from tests.factories import one_of_each


@pytest.mark.django_db
def test_one_record_of_every_model_saves_and_validates():
    records = one_of_each()
    for record in records.values():
        record.full_clean()
        assert record.created_at is not None and record.updated_at is not None
