"""Forms and widgets shared by every admin page.

``TrackedForm`` carries the record's edit ``version`` in a hidden field and refuses a save
when someone else saved the record after the form was opened (optimistic locking), telling
the editor who changed what, and refuses a NUL character (``\\x00``) in any field, JSON and
one-per-line lists included, as an error naming the field (PostgreSQL stores no NUL); a JSON
field refuses lists and objects nested too deep (``JSONFormField``). The autocomplete widgets
render their selected options from objects the form already holds, so a change form with
fifty inline rows runs the same queries as one with a single row.
"""

import json

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import router, transaction
from django.forms.fields import InvalidJSONInput, JSONString
from django.utils import timezone
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from apps.common import nesting
from apps.common.history import format_labels, link_changes, links_of, show_links_as_of, tracked_link_fields
from apps.common.meta import BOOKKEEPING
from apps.common.nul import nul_message, nul_path

VERSION_FIELD = "loaded_version"


class PreloadedAutocompleteMixin:
    """Take the selected options from ``preloaded`` objects when they cover the selection,
    instead of one query per widget (Django's ``AutocompleteMixin.optgroups`` queries)."""

    preloaded = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        objects = {str(obj.pk): obj for obj in self.preloaded or ()}
        if self.preloaded is None or not selected.issubset(objects):
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for pk in sorted(selected):
            option = self.create_option(
                name, objects[pk].pk, self.choices.field.label_from_instance(objects[pk]), selected, len(default[1])
            )
            default[1].append(option)
        return [default]


class PreloadedAutocompleteSelect(PreloadedAutocompleteMixin, AutocompleteSelect):
    pass


class PreloadedAutocompleteSelectMultiple(PreloadedAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class RefuseNul:
    """A field validator: no NUL anywhere in the cleaned value, a string or the strings and keys
    of a JSON value or a list (``apps.common.nul``). Django's own ``ProhibitNullCharactersValidator``
    reads ``str(value)``, so it misses a NUL inside a JSON field (``"\\u0000"`` in its text) or a
    one-per-line list, which PostgreSQL then refuses with a 500."""

    def __call__(self, value):
        path = nul_path(value)
        if path is not None:
            raise ValidationError(nul_message(path), code="nul")

    def __eq__(self, other):
        return isinstance(other, RefuseNul)


def refuse_nul(fields):
    """Put ``RefuseNul`` on every field of a form, in place of Django's NUL check."""
    for field in fields.values():
        kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator | RefuseNul)]
        field.validators = [*kept, RefuseNul()]


class JSONFormField(forms.JSONField):
    """A JSON value typed in the admin. Text nested more than ``nesting.MAX_DEPTH`` levels
    deep is an error on the field, shown again as typed; Django's own field runs out of stack
    (a 500) reading text nested some thousand levels deep."""

    def _read(self, text):
        return nesting.loads(text, (self.decoder or json.JSONDecoder)())

    def to_python(self, value):
        if self.disabled or value in self.empty_values or not isinstance(value, str) or isinstance(value, JSONString):
            return super().to_python(value)
        try:
            converted = self._read(value)
        except json.JSONDecodeError as error:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from error
        if nesting.too_deep(converted):
            raise ValidationError(nesting.DEPTH_MESSAGE, code="too_deep")
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data, initial):
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            value = self._read(data)
        except json.JSONDecodeError:
            return InvalidJSONInput(data)
        return InvalidJSONInput(data) if nesting.too_deep(value) else value


class VersionField(forms.IntegerField):
    """The version the editor loaded; never counts as a change of the form."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class LinesField(forms.CharField):
    """A list of strings (aliases) edited one per line rather than as JSON."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


def _display(value):
    if value in (None, ""):
        return "(empty)"
    return str(value)


def describe_changes_since(record, version):
    """Who changed ``record`` after ``version`` and what they changed, one line per item,
    read from its history."""
    records = list(record.history.filter(version__gte=version).select_related("history_user").order_by("history_date"))
    newer = [r for r in records if r.version > version]
    if not newer:
        return []
    base = [r for r in records if r.version == version]
    latest = newer[-1]
    who = ", ".join(sorted({str(r.history_user) if r.history_user else "an import or script" for r in newer}))
    when = timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M:%S %Z")
    lines = [f"Changed by {who} at {when} (version {version} → {latest.version}) after you opened it."]
    if base:
        model = type(record)
        link_fields = [field.name for field in tracked_link_fields(model)]
        delta = latest.diff_against(base[-1], excluded_fields=[*BOOKKEEPING, *link_fields], foreign_keys_are_objs=True)
        pair = (latest, base[-1])
        changes = [(c.field, _display(c.old), _display(c.new)) for c in delta.changes]
        changes += [
            (c.field, format_labels(c.old), format_labels(c.new))
            for c in link_changes(model, [pair], links_of(model, pair))[latest.history_id]
        ]
        for name, old, new in changes:
            lines.append(f"{record._meta.get_field(name).verbose_name}: {old} → {new}")
    return lines


class TrackedForm(forms.ModelForm):
    """Model form of every tracked record: optimistic locking, no NUL in any field, and
    preloaded autocompletes."""

    loaded_version = VersionField(required=False)
    is_inline_row = False

    def __init__(self, *args, **kwargs):
        past = getattr(kwargs.get("instance"), SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if past is not None:
            # A past version, opened from the history page: its links as they were.
            show_links_as_of(kwargs["instance"], past)
        super().__init__(*args, **kwargs)
        refuse_nul(self.fields)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version
        self._preload_autocomplete_choices()

    def _preload_autocomplete_choices(self):
        """Hand the related objects the instance already holds (``select_related``,
        ``prefetch_related``) to the autocomplete widgets."""
        if self.instance.pk is None:
            return
        prefetched = getattr(self.instance, "_prefetched_objects_cache", {})
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)
            if not isinstance(widget, PreloadedAutocompleteMixin):
                continue
            model_field = self.instance._meta.get_field(name)
            if model_field.many_to_many:
                if name in prefetched:
                    widget.preloaded = list(prefetched[name])
            elif model_field.is_cached(self.instance):
                related = model_field.get_cached_value(self.instance)
                widget.preloaded = [related] if related is not None else []

    def clean(self):
        cleaned_data = super().clean()
        # An unchanged inline row is not saved, so it cannot overwrite anything.
        if self.instance.pk is not None and not (self.is_inline_row and not self.has_changed()):
            self._refuse_stale_edit()
        return cleaned_data

    def _refuse_stale_edit(self):
        model = type(self.instance)
        rows = model._base_manager.filter(pk=self.instance.pk)
        using = router.db_for_write(model)
        if transaction.get_connection(using).in_atomic_block:
            # Hold the row until this save commits, so no one saves in between.
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        loaded = self.cleaned_data.get(VERSION_FIELD)
        if current is None:
            raise ValidationError("Someone deleted this record after you opened it; your changes were not saved.")
        if loaded is None:
            raise ValidationError("This form did not say which version you edited; reload the page and try again.")
        if loaded == current:
            return
        lines = describe_changes_since(self.instance, loaded) or [
            f"Someone saved this record after you opened it (version {loaded} → {current})."
        ]
        # Saving this form again is now a deliberate choice made after reading the changes.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION_FIELD)] = current
        raise ValidationError(
            [
                "Your changes were NOT saved: another editor changed this record after you opened it.",
                *lines,
                "Your edits are still in the form. Reload the page to start from their version, "
                "or save again to replace their changes with yours.",
            ],
            code="stale",
        )
