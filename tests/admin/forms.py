"""Turn an admin change page into the POST an editor's browser would send."""

from django.urls import reverse


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_values(form):
    data = {}
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(item) for item in value]
        elif value is None:
            data[bound.html_name] = ""
        else:
            data[bound.html_name] = bound.field.widget.format_value(value) or ""
    return data


def page_data(response):
    """The values of the main form and of every inline form on an admin add/change page."""
    data = _form_values(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_values(formset.management_form))
        for form in formset.initial_forms:
            data.update(_form_values(form))
        data[formset.management_form["TOTAL_FORMS"].html_name] = str(len(formset.initial_forms))
    return data


def open_change_page(client, record):
    response = client.get(admin_url(type(record), "change", record.pk))
    assert response.status_code == 200
    return page_data(response)
