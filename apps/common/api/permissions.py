"""Who may do what through the API (docs/data-model.md, "Who may see and do what"): anyone
reads; writes follow the user's model permissions, which the Editors and Reviewers groups
grant (add and change for editors; delete as well for reviewers). Publishing is checked by
the serializer."""

from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions


class ReadAnyoneWriteByModelPermission(DjangoModelPermissions):
    authenticated_users_only = False

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        return super().has_permission(request, view)
