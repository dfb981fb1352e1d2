"""Brute force on the admin login form: django-axes locks a username out from an address
after AXES_FAILURE_LIMIT (10) wrong passwords, even for the right one; a right password
before that resets the count. Through the real login form, as a browser posts it."""

import pytest
from django.contrib.auth.models import Group

from apps.common.roles import EDITORS

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-4821"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    """A cheap hasher: dozens of logins, and what is tested is the lockout, not the hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


def log_in(client, password, username="editor", **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        **extra,
    )


def logged_in(client):
    return client.get("/admin/").status_code == 200


def test_the_default_limit_is_ten(settings):
    assert settings.AXES_FAILURE_LIMIT == 10


def test_eleven_wrong_passwords_lock_the_right_one_out(client, editor):
    for attempt in range(11):
        response = log_in(client, f"wrong-{attempt}")
        assert response.status_code in (200, 429), response.status_code
        assert not logged_in(client)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert b"too many login attempts" in response.content.lower()
    assert not logged_in(client)


def test_a_right_password_before_the_limit_resets_the_count(client, editor):
    for _ in range(2):
        for attempt in range(9):
            assert log_in(client, f"wrong-{attempt}").status_code == 200
        assert log_in(client, PASSWORD).status_code == 302
        assert logged_in(client)
        client.logout()


def test_the_lockout_is_of_the_username_from_that_address(client, editor, django_user_model):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    for attempt in range(10):
        log_in(client, f"wrong-{attempt}")
    assert log_in(client, PASSWORD).status_code == 429
    # Another account from the same address, and the same account from another address.
    assert log_in(client, PASSWORD, username="other").status_code == 302
    client.logout()
    assert log_in(client, PASSWORD, REMOTE_ADDR="192.0.2.77").status_code == 302


def test_a_forged_forwarded_for_header_does_not_reset_the_lockout(client, editor):
    for attempt in range(10):
        log_in(client, f"wrong-{attempt}", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    assert log_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429
    assert not logged_in(client)
