"""The editors' upload page in the admin: load a fixture or CSV file, see the dry-run report
(or every error), and confirm the import.

It runs the loader ``import_data`` runs, on the uploaded bytes: a dry run first, then, on
confirmation, the real load recorded under the editor. Between the two steps the files travel
back with the confirmation as a signed, compressed hidden field (bound to the user, valid for
an hour), so the server keeps nothing and the content cannot be altered on the way.
"""

import base64

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from apps.common.registry import contract_labels
from apps.common.roles import is_editor
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource

# The files travel back in the confirmation form, which Django caps at 2.5 MB
# (DATA_UPLOAD_MAX_MEMORY_SIZE); larger data sets go through ``manage.py import_data``.
MAX_UPLOAD_BYTES = 1024 * 1024
SIGNING_SALT = "apps.ingest.upload"
PAYLOAD_MAX_AGE = 3600


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class UploadForm(forms.Form):
    files = MultipleFileField(help_text="Fixture files (JSON, JSON Lines, YAML) or CSV files, one per model.")
    model = forms.ChoiceField(
        choices=[("", "from the file name")] + [(label, label) for label in contract_labels()],
        required=False,
        help_text="The model of CSV files not named like transfers.transfer.csv.",
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        total = sum(file.size for file in files)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The files hold {total:,} bytes; the upload takes at most {MAX_UPLOAD_BYTES:,}. "
                "Load larger data sets with manage.py import_data."
            )
        return files


def _sources(files, model):
    return [FileSource(data=data, name=name, model=model or None) for name, data in files]


def _payload(request, files, model):
    return signing.dumps(
        {
            "user": request.user.pk,
            "model": model,
            "files": [[name, base64.b64encode(data).decode("ascii")] for name, data in files],
        },
        salt=SIGNING_SALT,
        compress=True,
    )


def _unpack(request, token):
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature:
        return None
    if payload.get("user") != request.user.pk:
        return None
    return [(name, base64.b64decode(data)) for name, data in payload["files"]], payload["model"]


def upload(request):
    if not is_editor(request.user):
        raise PermissionDenied("Only editors load data.")
    context = {**admin.site.each_context(request), "title": "Load data files", "max_bytes": MAX_UPLOAD_BYTES}
    if request.method == "POST" and "confirm" in request.POST:
        unpacked = _unpack(request, request.POST.get("payload", ""))
        if unpacked is None:
            messages.error(request, "The upload expired or was altered; upload the files again.")
            return redirect("ingest-upload")
        files, model = unpacked
        names = ", ".join(name for name, _ in files)
        report = load_records(_sources(files, model), user=request.user, change_reason=f"admin upload {names}"[:100])
        if report.ok:
            messages.success(request, f"Loaded {names}.")
        context.update(form=UploadForm(), report=report, names=names)
        return TemplateResponse(request, "ingest/upload.html", context)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = [(file.name, file.read()) for file in form.cleaned_data["files"]]
        model = form.cleaned_data["model"]
        report = load_records(_sources(files, model), dry_run=True)
        context.update(report=report, names=", ".join(name for name, _ in files))
        if report.ok:
            context["payload"] = _payload(request, files, model)
    context["form"] = form
    return TemplateResponse(request, "ingest/upload.html", context)


upload_view = admin.site.admin_view(upload)
