"""Pages of the duties app: units and their four lists (tabs), item detail and edit, my
tasks, overdue tasks, completion rates, import, and the public page of the published
power and responsibility lists (public by law: no login)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityguard.core.access import can_change, reach
from cityguard.core.choices import Level, OrganizationKind
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.views import forbidden_as_page, history_rows
from cityguard.indicators.registry import Period

from . import imports, services
from .choices import LEGAL_KINDS, PUBLIC_KINDS, ListKind, VersionState
from .forms import CompleteForm, ImportForm, ItemForm, RatesForm
from .models import DutyItem, Evidence, ListVersion


def _units(user: Any) -> list[dict[str, Any]]:
    """The units the user can see lists of: departments and streets."""
    r = reach(user)
    depts = Organization.objects.filter(kind=OrganizationKind.DEPARTMENT)
    streets = Jurisdiction.objects.filter(level=Level.STREET)
    if not r.whole_district:
        if r.role == "enterprise_manager":
            depts = depts.filter(pk=r.organization_id or 0)
            streets = streets.none()
        elif r.path:
            depts = depts.none()
            streets = streets.filter(path__startswith=r.path)
    items = DutyItem.objects.visible_to(user)
    counts: dict[tuple[Any, Any], int] = {}
    for org_id, street_id in items.values_list("organization_id", "street_id"):
        counts[(org_id, street_id)] = counts.get((org_id, street_id), 0) + 1
    overdue: dict[tuple[Any, Any], int] = {}
    for org_id, street_id in items.overdue().values_list("organization_id", "street_id"):  # type: ignore[attr-defined]
        overdue[(org_id, street_id)] = overdue.get((org_id, street_id), 0) + 1
    out = [
        {
            "key": f"org-{d.pk}",
            "name": d.name,
            "kind": _("Department"),
            "items": counts.get((d.pk, None), 0),
            "overdue": overdue.get((d.pk, None), 0),
        }
        for d in depts.order_by("name")
    ]
    out += [
        {
            "key": f"street-{s.code}",
            "name": s.name,
            "kind": _("Street"),
            "items": counts.get((None, s.pk), 0),
            "overdue": overdue.get((None, s.pk), 0),
        }
        for s in streets.order_by("code")
    ]
    return out


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "duties/home.html",
        {"units": _units(request.user), "can_import": services.reach_can_write(request.user)},
    )


def _unit_or_404(user: Any, key: str) -> Any:
    unit = services.find_unit(key)
    if unit is None:
        raise Http404
    org, street = services.unit_parts(unit)
    r = reach(user)
    if not r.authenticated or r.role is None:
        raise Http404
    if r.whole_district:
        return unit
    if r.role == "enterprise_manager":
        visible = org is not None and org.pk == r.organization_id
    elif r.path:
        visible = street is not None and street.path.startswith(r.path)
    else:
        visible = r.role != "street_officer"
    if not visible:
        raise Http404
    return unit


@login_required
def unit_lists(request: HttpRequest, key: str) -> HttpResponse:
    unit = _unit_or_404(request.user, key)
    org, street = services.unit_parts(unit)
    kind = request.GET.get("kind") or ListKind.RESPONSIBILITY
    if kind not in ListKind.values:
        kind = ListKind.RESPONSIBILITY
    probe = ListVersion(organization=org, street=street, kind=kind, number=0)
    editable = reach(request.user).can_write and can_change(request.user, probe)
    published = draft = None
    qs = DutyItem.objects.visible_to(request.user).filter(
        kind=kind, **services.unit_filter(org, street)
    )
    if kind in LEGAL_KINDS:
        published = services.latest_published(org, street, kind)
        draft = services.current_draft(org, street, kind)
        shown = request.GET.get("version")
        version = draft if (shown == "draft" and draft) or (published is None) else published
        items = list(qs.filter(version=version).select_related("version")) if version else []
    else:
        version = None
        items = list(qs.select_related("owner_user", "owner_contact").order_by("due_date", "id"))
    return render(
        request,
        "duties/unit.html",
        {
            "unit": unit,
            "key": key,
            "kind": kind,
            "kind_label": ListKind(kind).label,
            "kinds": ListKind.choices,
            "items": items,
            "version": version,
            "published": published,
            "draft": draft,
            "editable": editable,
            "legal": kind in LEGAL_KINDS,
        },
    )


@login_required
@require_POST
@forbidden_as_page
def unit_action(request: HttpRequest, key: str, kind: str, action: str) -> HttpResponseBase:
    unit = _unit_or_404(request.user, key)
    org, street = services.unit_parts(unit)
    target = f"{reverse('duties:unit', args=[key])}?kind={kind}&version=draft"
    try:
        if action == "draft":
            services.open_draft(request.user, org, street, kind)
        elif action == "publish":
            draft = services.current_draft(org, street, kind)
            if draft is None:
                raise ValidationError(_("There is no draft to publish."))
            services.publish(request.user, draft, request.POST.get("note", ""))
            target = f"{reverse('duties:unit', args=[key])}?kind={kind}"
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(target)


def _item(request: HttpRequest, pk: int) -> DutyItem:
    item = (
        DutyItem.objects.visible_to(request.user)
        .select_related(
            "organization",
            "street",
            "version",
            "owner_user",
            "owner_contact",
            "completed_by",
            "verified_by",
        )
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    return item  # type: ignore[no-any-return]


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    editable = reach(request.user).can_write and can_change(request.user, item)
    return render(
        request,
        "duties/item.html",
        {
            "item": item,
            "object": item,
            "editable": editable,
            "frozen": bool(item.version_id and item.version and item.version.frozen),
            "evidence": list(item.evidence.all()),
            "complete_form": CompleteForm(),
            "history": history_rows(item),
        },
    )


@login_required
@forbidden_as_page
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    user = request.user
    if pk is not None:
        item: DutyItem | None = _item(request, pk)
        assert item is not None
        if not can_change(user, item):
            raise PermissionDenied(_("You may not change this record."))
        if item.version_id and item.version and item.version.frozen:
            # Published lists are frozen: the edit goes to the same item in the draft.
            draft = services.open_draft(user, item.organization, item.street, item.kind)
            copy = draft.items.filter(origin=item).first()
            if copy is None:
                raise Http404
            messages.info(request, _("The published version is frozen; you are editing the draft."))
            return redirect("duties:item_edit", pk=copy.pk)
        kind, key = item.kind, item.unit_key
    else:
        item = None
        kind = request.GET.get("kind") or ""
        key = request.GET.get("unit") or ""
        if kind not in ListKind.values:
            raise Http404
        _unit_or_404(user, key)
    initial = {}
    if item is not None:
        initial = {
            f: getattr(item, f)
            for f in (
                "title",
                "content",
                "legal_basis",
                "legal_article",
                "responsible_post",
                "responsible_person",
                "owner_user",
                "due_date",
                "status",
            )
        }
    form = ItemForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if item is None:
            org, street = services.unit_parts(services.find_unit(key))
            data.update({"kind": kind, "organization": org, "street": street})
        try:
            saved = services.save_item(user, data, instance=item)
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            messages.success(request, _("Saved."))
            return redirect("duties:item", pk=saved.pk)
    return render(
        request,
        "duties/item_form.html",
        {"form": form, "item": item, "kind_label": ListKind(kind).label, "key": key, "kind": kind},
    )


@login_required
@require_POST
@forbidden_as_page
def item_action(request: HttpRequest, pk: int, action: str) -> HttpResponseBase:
    item = _item(request, pk)
    try:
        if action == "complete":
            form = CompleteForm(request.POST)
            form.is_valid()
            services.complete_task(
                request.user,
                item,
                form.cleaned_data.get("evidence_text") or "",
                request.FILES.getlist("files"),
            )
        elif action == "start":
            services.start_task(request.user, item)
        elif action == "verify":
            services.verify_task(request.user, item)
        elif action == "delete":
            key, kind = item.unit_key, item.kind
            services.delete_item(request.user, item)
            messages.success(request, _("Deleted."))
            return redirect(f"{reverse('duties:unit', args=[key])}?kind={kind}&version=draft")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect("duties:item", pk=item.pk)


@login_required
def evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An evidence file, for those who may see its task (never public)."""
    ev = Evidence.objects.filter(pk=pk).first()
    if ev is None or not DutyItem.objects.visible_to(request.user).filter(pk=ev.item_id).exists():
        raise Http404
    try:
        handle = default_storage.open(ev.file.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=ev.content_type)
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    tasks = (
        DutyItem.objects.visible_to(request.user)
        .tasks()  # type: ignore[attr-defined]
        .filter(owner_user=request.user)
        .select_related("organization", "street")
        .order_by("status", "due_date", "id")
    )
    return render(
        request, "duties/tasks.html", {"tasks": tasks, "title": _("My tasks"), "tab": "mine"}
    )


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    tasks = (
        DutyItem.objects.visible_to(request.user)
        .overdue()  # type: ignore[attr-defined]
        .select_related("organization", "street", "owner_user", "owner_contact")
        .order_by("due_date", "id")
    )
    return render(
        request,
        "duties/tasks.html",
        {"tasks": tasks, "title": _("Overdue tasks"), "tab": "overdue"},
    )


@login_required
def rates(request: HttpRequest) -> HttpResponse:
    form = RatesForm(request.GET)
    text = form.value("period")
    try:
        period = Period.parse(text) if text else Period.of(timezone.localdate())
    except ValueError:
        period = Period.of(timezone.localdate())
    rows = services.rates(request.user, period.start, period.end)
    due = sum(r.due for r in rows)
    on_time = sum(r.on_time for r in rows)
    return render(
        request,
        "duties/rates.html",
        {
            "form": form,
            "rows": rows,
            "period": period,
            "due": due,
            "on_time": on_time,
            "total": services.rate(on_time, due),
        },
    )


@login_required
@forbidden_as_page
def import_items(request: HttpRequest) -> HttpResponseBase:
    if not services.reach_can_write(request.user):
        raise PermissionDenied(_("You may not change this record."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        from cityguard.core.imports import limits

        report = imports.import_file(
            request.user,
            upload.name,
            upload.read(limits()[0] + 1),
            partial=form.cleaned_data["partial"],
            dry_run=form.cleaned_data["dry_run"],
        )
    return render(request, "duties/import.html", {"form": form, "report": report})


def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="duty-items.csv"'
    return response


# --- public -----------------------------------------------------------------------------------


def public(request: HttpRequest) -> HttpResponse:
    """The published power and responsibility lists of every unit (no login)."""
    versions = (
        ListVersion.objects.filter(kind__in=PUBLIC_KINDS, state=VersionState.PUBLISHED)
        .select_related("organization", "street")
        .order_by("organization__name", "street__code", "kind", "-number")
    )
    latest: dict[tuple[Any, Any, str], ListVersion] = {}
    for v in versions:
        latest.setdefault((v.organization_id, v.street_id, v.kind), v)
    key = request.GET.get("unit") or ""
    units: dict[str, str] = {}
    for v in latest.values():
        units[v.unit_key] = str(v.unit)
    chosen = [v for v in latest.values() if not key or v.unit_key == key]
    chosen.sort(key=lambda v: (str(v.unit), v.kind))
    for v in chosen:
        v.shown_items = list(v.items.order_by("position", "id"))  # type: ignore[attr-defined]
    return render(
        request,
        "duties/public.html",
        {"versions": chosen, "units": sorted(units.items(), key=lambda kv: kv[1]), "unit": key},
    )
