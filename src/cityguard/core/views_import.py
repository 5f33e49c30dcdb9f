"""Pages to import organisations and places from CSV or Excel, and their template files.

The upload is checked and written by `imports.import_file`, the same engine as the API.
After a POST the report is kept in the session and the browser is redirected to it, so
reloading the report page never imports the file a second time.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import imports
from .access import reach

SESSION_KEY = "cityguard.import_report.%s"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (UTF-8 or GBK) or Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    partial = forms.BooleanField(
        required=False,
        label=gettext_lazy("Write the valid rows only"),
        help_text=gettext_lazy("Without this, nothing is written as long as any row has an error."),
    )
    dry_run = forms.BooleanField(
        required=False,
        label=gettext_lazy("Check only, write nothing"),
    )
    datum = forms.ChoiceField(
        choices=imports.DATUM_CHOICES,
        initial="wgs84",
        label=gettext_lazy("Coordinate system of longitude and latitude"),
    )


def _page(request: HttpRequest, entity: str) -> HttpResponse:
    if not reach(request.user).can_write:
        raise PermissionDenied
    key = SESSION_KEY % entity
    report: dict[str, Any] | None = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            request.session[key] = _run(request, entity, data)
            return redirect(f"{request.path}?report=1")
    else:
        form = ImportForm()
        if request.GET.get("report"):
            report = request.session.pop(key, None)
    list_url = reverse("core:organization_list" if entity == "organization" else "core:place_list")
    context = {
        "entity": entity,
        "heading": _("Import organisations") if entity == "organization" else _("Import places"),
        "list_title": _("Organisations") if entity == "organization" else _("Places"),
        "list_url": list_url,
        "form": form,
        "report": report,
        "columns": [
            {"header": c.header, "name": c.name, "label": c.label, "help": c.help}
            for c in imports.COLUMNS[entity]
        ],
        "kinds": imports.kind_labels(entity),
        "template_csv": reverse(f"core:{entity}_import_template", args=["csv"]),
        "template_xlsx": reverse(f"core:{entity}_import_template", args=["xlsx"]),
        "max_bytes": imports.limits()[0],
        "max_rows": imports.limits()[1],
        "max_errors": imports.MAX_REPORTED_ERRORS,
    }
    return render(request, "core/import.html", context)


def _run(request: HttpRequest, entity: str, data: dict[str, Any]) -> dict[str, Any]:
    upload = data["file"]
    max_bytes = imports.limits()[0]
    if upload.size is not None and upload.size > max_bytes:
        # Refused by its size alone: the file is not even read.
        report = imports.ImportReport(entity=entity, filename=upload.name or "")
        report.reason = "too_large"
        report.refusal = imports.too_large_message(max_bytes)
    else:
        report = imports.import_file(
            request.user,
            entity,
            upload.name or "",
            upload.read(max_bytes + 1),
            partial=data["partial"],
            dry_run=data["dry_run"],
            datum=data["datum"],
        )
    return report.as_dict()


@login_required
def organization_import(request: HttpRequest) -> HttpResponse:
    return _page(request, "organization")


@login_required
def place_import(request: HttpRequest) -> HttpResponse:
    return _page(request, "place")


def _template_file(entity: str, fmt: str) -> FileResponse:
    try:
        path = imports.sample_path(entity, fmt)
    except ValueError:
        raise Http404
    if entity == "organization":
        name = _("cityguard-organisations-template")
    else:
        name = _("cityguard-places-template")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{name}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
    )


@login_required
def organization_template(request: HttpRequest, fmt: str) -> FileResponse:
    """The empty template file users fill in (csv or xlsx)."""
    return _template_file("organization", fmt)


@login_required
def place_template(request: HttpRequest, fmt: str) -> FileResponse:
    return _template_file("place", fmt)
