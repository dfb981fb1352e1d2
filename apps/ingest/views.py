"""The editors' upload page in the admin: load a fixture or CSV file, see the dry-run report
(or every error), and confirm the import.

It runs the loader ``import_data`` runs, on the uploaded bytes: a dry run first, then, on
confirmation, the real load recorded under the editor. Between the two steps the files travel
back with the confirmation as a signed, compressed hidden field (bound to the user, valid for
an hour), so the server keeps nothing and the content cannot be altered on the way.

A POST is refused by its declared ``Content-Length`` before its body is read (413, or 411
without one): Django would otherwise stream every uploaded byte to memory and temporary files
(the CSRF check reads the form) before the form could count them.
"""

import base64
import functools

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt

from apps.common.registry import contract_labels
from apps.common.roles import is_editor
from apps.ingest.loader import load_records
from apps.ingest.services.readers import FileSource

# The files travel back in the confirmation form, which Django caps at 2.5 MB
# (DATA_UPLOAD_MAX_MEMORY_SIZE); larger data sets go through ``manage.py import_data``.
MAX_UPLOAD_BYTES = 1024 * 1024
# The most a POST to the page may declare: the files and their multipart framing, or the
# confirmation, whose signed payload carries them compressed and base64-encoded (at most about
# 4/3 of their size). The form then counts the files' own bytes against MAX_UPLOAD_BYTES.
MAX_REQUEST_BYTES = 2 * MAX_UPLOAD_BYTES
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
        # The dry run is the editor's: it reports what the real load would refuse them.
        report = load_records(_sources(files, model), user=request.user, dry_run=True)
        context.update(report=report, names=", ".join(name for name, _ in files))
        if report.ok:
            context["payload"] = _payload(request, files, model)
    context["form"] = form
    return TemplateResponse(request, "ingest/upload.html", context)


def _body_refused(request):
    """A response refusing a POST whose declared length is missing or over the limit, or None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        length = -1
    if length < 0:
        return HttpResponse("A request body needs a Content-Length.", status=411, content_type="text/plain")
    if length > MAX_REQUEST_BYTES:
        return HttpResponse(
            f"The request declares {length:,} bytes; the upload takes at most {MAX_UPLOAD_BYTES:,}. "
            "Load larger data sets with manage.py import_data.",
            status=413,
            content_type="text/plain",
        )
    return None


def body_within_limit(view):
    """``view`` behind the check of the declared body length, made before anything reads the
    body. The CSRF middleware would read the form first, so the outer view is exempt from it
    and ``view`` does the CSRF check itself (``admin_view`` wraps it in ``csrf_protect``), as
    Django's documentation does for per-request upload handlers."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method == "POST":
            refused = _body_refused(request)
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)


upload_view = body_within_limit(admin.site.admin_view(upload))
