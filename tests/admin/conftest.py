"""Users in each editorial role, and clients logged in as them."""

import pytest
from django.contrib.auth.models import Group

from apps.common.roles import EDITORS, REVIEWERS


def make_user(django_user_model, username, group):
    user = django_user_model.objects.create_user(username, password="pw-" + username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(django_user_model):
    return make_user(django_user_model, "editor", EDITORS)


@pytest.fixture
def other_editor(django_user_model):
    return make_user(django_user_model, "other-editor", EDITORS)


@pytest.fixture
def reviewer(django_user_model):
    return make_user(django_user_model, "reviewer", REVIEWERS)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client
