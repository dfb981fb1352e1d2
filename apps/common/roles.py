"""The two editorial roles and what each may do (docs/data-model.md, "Who may see and do
what").

Editors add and change every record; reviewers may also publish and delete. Anyone may read
published records. The groups are created by a migration and kept in step with the models
after every ``migrate``.
"""

EDITORS = "Editors"
REVIEWERS = "Reviewers"

ROLE_ACTIONS = {
    EDITORS: ("add", "change", "view"),
    REVIEWERS: ("add", "change", "delete", "view"),
}


def sync_roles(apps=None):
    """Create the Editors and Reviewers groups and give them their permissions on every
    domain model (historical models included, so the history views open)."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    from apps.common.registry import domain_app_labels

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_" for action in actions]
        permissions = [
            permission
            for permission in Permission.objects.filter(content_type__app_label__in=domain_app_labels()).select_related(
                "content_type"
            )
            if any(permission.codename.startswith(prefix) for prefix in codenames)
            # History is written by the system, never by hand: roles only read it.
            and (permission.codename.startswith("view_") or not permission.content_type.model.startswith("historical"))
        ]
        group.permissions.add(*permissions)


def is_reviewer(user):
    """Reviewers (and superusers) publish records and delete them."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=REVIEWERS).exists()


def is_editor(user):
    """Editors, reviewers and superusers see drafts and write."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=[EDITORS, REVIEWERS]).exists()


def sees_drafts(user):
    """Whether ``user`` may read drafts: editors and reviewers do, nobody else. Asked by every
    read path through ``visible_to``; the answer is kept on the user object, which Django
    makes anew for each request (as it keeps the user's permissions)."""
    if user is None:
        return False
    if not hasattr(user, "_sees_drafts"):
        user._sees_drafts = is_editor(user)
    return user._sees_drafts


def refresh_sees_drafts(user):
    """Work out again whether ``user`` sees drafts, at the start of a request that may be
    given a user object kept from an earlier one (the API's forced authentication)."""
    if user is not None and hasattr(user, "_sees_drafts"):
        del user._sees_drafts
