"""Base classes of every page of the editors' admin.

``TrackedAdmin`` gives each model: who created and changed a record (filled from the
logged-in user), refusal of stale edits (``TrackedForm``), the history view with the
field-by-field difference of each change, CSV/XLSX export of the selected or filtered rows,
and autocomplete widgets that stay at a fixed number of queries. ``CuratedAdmin`` adds the
review workflow: records start as drafts and only reviewers publish them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.db import models, router
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst, smart_split, unescape_string_literal
from import_export.admin import ExportActionMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from apps.common.admin_export import export_resource_for
from apps.common.admin_forms import (
    VERSION_FIELD,
    JSONFormField,
    LinesField,
    PreloadedAutocompleteSelect,
    PreloadedAutocompleteSelectMultiple,
    TrackedForm,
)
from apps.common.choices import ReviewStatus
from apps.common.conflicts import run_in_transaction
from apps.common.history import format_labels, link_changes, links_of, tracked_link_fields
from apps.common.meta import BOOKKEEPING, direct_relations
from apps.common.models import CuratedModel
from apps.common.paging import EstimatingPaginator
from apps.common.roles import is_reviewer
from apps.common.search import ranked, search_condition
from apps.common.services import records_set_review_status

# String lists edited one per line.
LINE_LIST_FIELDS = {"aliases"}


def prefetch_labelled(model, *names):
    """Prefetch the many-to-many fields ``names`` of ``model`` with the foreign keys that
    the related records' labels read (a transfer's label names its countries)."""
    lookups = []
    for name in names:
        related = model._meta.get_field(name).related_model
        lookups.append(Prefetch(name, queryset=related._default_manager.select_related(*direct_relations(related))))
    return lookups


def request_is_reviewer(request):
    """``is_reviewer`` once per request: several admin hooks ask."""
    if not hasattr(request, "_is_reviewer"):
        request._is_reviewer = is_reviewer(request.user)
    return request._is_reviewer


def changelist_url(model, **filters):
    """The address of the changelist of ``model`` filtered by ``filters`` (list_filter parameters)."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def changelist_link(model, label, **filters):
    """A link to the changelist of ``model`` filtered by ``filters`` (list_filter parameters)."""
    return format_html('<a href="{}">{}</a>', changelist_url(model, **filters), label)


def links_list(links):
    """Render ``changelist_link`` results as a list."""
    return format_html(
        "<ul class='related-links'>{}</ul>", format_html_join("", "<li>{}</li>", ((link,) for link in links))
    )


@dataclass(frozen=True)
class RelatedLink:
    """One link of a record's "Related records" panel: the changelist of ``model`` filtered
    by ``parameter`` (a list_filter parameter) set to ``value(record)``; no link when that
    is None (a regime without a target country has no transfers from its target)."""

    model: type
    label: str
    parameter: str
    value: Callable = attrgetter("pk")


class RelatedRecords:
    """The "Related records" panels of the change pages, keyed by the model whose page shows
    them. The app that owns the linked records registers its links, so that a lower app
    (``geo``) shows a higher one's records (transfers) without importing it."""

    def __init__(self):
        self._links = defaultdict(list)
        self._inlines = defaultdict(list)

    def link(self, owner, model, label, parameter, *, value=attrgetter("pk")):
        """Show on ``owner``'s change page a link to the records of ``model`` it relates to."""
        self._links[owner].append(RelatedLink(model, label, parameter, value))

    def inline(self, owner, inline_class):
        """Edit ``inline_class``'s records on ``owner``'s change page (an actor's designations)."""
        self._inlines[owner].append(inline_class)

    def links_for(self, record):
        links = []
        for link in self._links[type(record)]:
            value = link.value(record)
            if value is not None:
                links.append(changelist_link(link.model, link.label, **{link.parameter: value}))
        return links

    def inlines_for(self, model):
        return list(self._inlines[model])


related_panels = RelatedRecords()


class TrackedAdminMixin:
    """What model admins and inlines share: the tracked form, preloaded autocompletes,
    line-edited lists and the review status only reviewers change."""

    form = TrackedForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            # Sources are web pages: a URL typed without a scheme is read as https.
            kwargs.setdefault("assume_scheme", "https")
        if isinstance(db_field, models.JSONField) and db_field.name in LINE_LIST_FIELDS:
            return LinesField(
                label=db_field.verbose_name.capitalize(),
                required=False,
                help_text=db_field.help_text or "One per line.",
            )
        if isinstance(db_field, models.JSONField):
            kwargs.setdefault("form_class", JSONFormField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if issubclass(self.model, CuratedModel) and not request_is_reviewer(request):
            readonly.append("review_status")
        return readonly


class TrackedInlineMixin(TrackedAdminMixin):
    """Inline rows: joined and prefetched relations, locking per row, ``created_by`` and
    ``updated_by`` filled in ``TrackedAdmin.save_formset``."""

    extra = 0
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.is_inline_row = True
        return formset

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        joined = direct_relations(self.model)
        prefetched = prefetch_labelled(self.model, *(f.name for f in self.model._meta.many_to_many))
        return queryset.select_related(*joined).prefetch_related(*prefetched)


class TrackedTabularInline(TrackedInlineMixin, admin.TabularInline):
    pass


class TrackedStackedInline(TrackedInlineMixin, admin.StackedInline):
    pass


class TrackedAdmin(TrackedAdminMixin, ExportActionMixin, SimpleHistoryAdmin):
    """Model admin of every tracked record."""

    formats = [base_formats.CSV, base_formats.XLSX]
    object_history_list_template = "admin/common/object_history_list.html"
    list_per_page = 50
    show_full_result_count = False
    # A changelist of a million records shows an estimate past a thousand instead of counting.
    paginator = EstimatingPaginator
    # Relations the change page shows, joined when it loads the record.
    change_select_related = ()

    def get_resource_classes(self, request):
        return [export_resource_for(self.model)]

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *related_panels.inlines_for(self.model)]

    @admin.display(description="Related records")
    def related_records(self, obj):
        """The panel of links registered with ``related_panels`` (list it in
        ``readonly_fields`` to show it)."""
        if obj.pk is None:
            return "—"
        return links_list(related_panels.links_for(obj))

    # Bookkeeping is shown read-only, folded away, on the change page.
    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, *(name for name in BOOKKEEPING if obj is not None and name not in readonly)]

    def get_fieldsets(self, request, obj=None):
        if self.fieldsets:
            fieldsets = [(name, dict(options)) for name, options in self.fieldsets]
        else:
            fields = [name for name in self.get_fields(request, obj) if name not in BOOKKEEPING]
            fieldsets = [(None, {"fields": fields})]
        first_fields = list(fieldsets[0][1]["fields"])
        if VERSION_FIELD not in first_fields:
            # The hidden version must be rendered for the stale-edit check.
            fieldsets[0][1]["fields"] = [*first_fields, VERSION_FIELD]
        if obj is not None:
            fieldsets.append(("Record", {"classes": ["collapse"], "fields": list(BOOKKEEPING)}))
        return fieldsets

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.change_select_related:
            queryset = queryset.select_related(*self.change_select_related)
        return queryset

    def get_search_results(self, request, queryset, search_term):
        """The search box: every word (or "quoted phrase") must be in one of the
        ``search_fields``, matched as the API's ``q`` matches (``apps.common.search``: no join
        across a foreign key, trigram indexes on PostgreSQL), so that it stays fast on a
        million rows. Foreign keys only: no duplicate rows to remove."""
        fields = [name.lstrip("^=@") for name in self.get_search_fields(request)]
        words = [
            unescape_string_literal(word) if len(word) > 1 and word[0] in "\"'" and word[0] == word[-1] else word
            for word in smart_split(search_term)
        ]
        if not fields or not words:
            return queryset, False
        condition = Q()
        for word in words:
            condition &= search_condition(self.model, fields, word)
        # The changelist has ordered the rows already: by relevance to the whole search first,
        # then that order, unless a column is sorted.
        if ORDER_VAR in request.GET:
            return queryset.filter(condition), False
        return ranked(queryset.filter(condition), fields, search_term.strip()), False

    # A save or delete is one transaction, run again when it deadlocks or fails serialization
    # with another write (apps.common.conflicts); past the last attempt the answer is 503.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        view = super().changeform_view
        return self._write_retrying(request, lambda: view(request, object_id, form_url, extra_context))

    def delete_view(self, request, object_id, extra_context=None):
        view = super().delete_view
        return self._write_retrying(request, lambda: view(request, object_id, extra_context))

    def _write_retrying(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
            return view()
        storage = getattr(request, "_messages", None)
        queued = list(getattr(storage, "_queued_messages", ()))

        def forget_messages():
            # A message of an attempt rolled back (its "changed successfully") is not shown.
            if storage is not None:
                storage._queued_messages[:] = queued

        return run_in_transaction(view, using=router.db_for_write(self.model), undo=forget_messages)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                if inline_form.instance._state.adding:
                    inline_form.instance.created_by = request.user
                inline_form.instance.updated_by = request.user
        super().save_formset(request, form, formset, change)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The field-by-field difference of each change, links (many-to-many fields)
        included, without the bookkeeping that changes on every save. The links of the
        whole page are read in one query per field."""
        records = list(historical_records)
        # The record before the page's last one is needed to show what that one changed.
        older = records[-1].prev_record if records else None
        chain = [*records, older] if older is not None else records
        pairs = list(zip(chain, chain[1:], strict=False))
        links = links_of(self.model, chain)
        changed_links = link_changes(self.model, pairs, links)
        excluded = [*BOOKKEEPING, *(field.name for field in tracked_link_fields(self.model))]
        for current, previous in pairs:
            delta = current.diff_against(
                previous, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs
            )
            helper = self.get_historical_record_context_helper(request, current)
            current.history_delta_changes = [
                *helper.context_for_delta_changes(delta),
                *(
                    {
                        "field": capfirst(self.model._meta.get_field(change.field).verbose_name),
                        "old": format_labels(change.old),
                        "new": format_labels(change.new),
                    }
                    for change in changed_links[current.history_id]
                ),
            ]


class CuratedAdmin(TrackedAdmin):
    """Curated records: drafts until a reviewer publishes them."""

    actions = ["publish", "return_to_draft"]

    def has_publish_permission(self, request):
        return request_is_reviewer(request)

    def _set_review_status(self, request, queryset, status):
        changed = records_set_review_status(queryset=queryset, status=status, user=request.user)
        label = ReviewStatus(status).label.lower()
        self.message_user(request, f"{changed} {self.opts.verbose_name_plural} marked {label}.", messages.SUCCESS)

    @admin.action(permissions=["publish"], description="Publish selected %(verbose_name_plural)s")
    def publish(self, request, queryset):
        self._set_review_status(request, queryset, ReviewStatus.PUBLISHED)

    @admin.action(permissions=["publish"], description="Return selected %(verbose_name_plural)s to draft")
    def return_to_draft(self, request, queryset):
        self._set_review_status(request, queryset, ReviewStatus.DRAFT)
