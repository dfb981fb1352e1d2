"""The two editorial roles of DESIGN.md and what each may do.

Editors add and change every record; reviewers may also publish and delete. Anyone may read
published records. The groups are created by a migration and kept in step with the models
after every ``migrate``.
"""

EDITORS = "Editors"
REVIEWERS = "Reviewers"

# Apps whose models editors curate.
DOMAIN_APPS = ("geo", "actors", "evidence", "resolutions", "sanctions", "transfers", "relations")

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
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [f"{action}_" for action in actions]
        permissions = [
            permission
            for permission in Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS).select_related(
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
