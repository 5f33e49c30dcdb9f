"""Import endpoints: `POST /api/v1/organizations/import` and `POST /api/v1/places/import`.

They add routes to `core.api.router`, so this module must be imported before that router
is mounted on the NinjaAPI (ninja copies a router's operations when it is mounted).
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import File, Query, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from . import access, imports
from .api import router
from .schemas import ErrorOut

Datum = Literal["wgs84", "gcj02", "bd09"]


class ImportErrorOut(Schema):
    row: int = Field(description="spreadsheet row (the header is row 1; 0 = the whole file)")
    field: str = Field(description="English field name, empty for the whole row")
    column: str = Field(description="the column's header as written in the file")
    message: str


class ImportReportOut(Schema):
    detail: str
    entity: str
    filename: str
    rows: int = Field(description="data rows read (empty rows are skipped)")
    created: int = Field(description="records created (would be, in a dry run)")
    updated: int = Field(description="records updated (would be, in a dry run)")
    error_rows: int
    error_count: int
    errors: list[ImportErrorOut]
    errors_truncated: bool = Field(description=f"only the first {imports.MAX_REPORTED_ERRORS}")
    written: bool
    dry_run: bool
    partial: bool
    refused: bool = Field(description="the whole file was refused before any row was read")
    reason: str = Field(description="why it was refused: too_large, format, columns, …")


class ImportRefusedOut(Schema):
    """A refused import: the report when there is one, else just `detail`."""

    detail: Any
    errors: list[ImportErrorOut] = []
    rows: int | None = None
    created: int | None = None
    updated: int | None = None
    error_rows: int | None = None
    error_count: int | None = None
    written: bool | None = None
    refused: bool | None = None
    reason: str | None = None


class ImportQuery(Schema):
    partial: bool = Field(False, description="write the valid rows even when others are bad")
    dry_run: bool = Field(False, description="check every row, write nothing")
    datum: Datum = Field("wgs84", description="coordinate system of the file's lon/lat")


RESPONSES: dict[int, Any] = {
    200: ImportReportOut,
    401: ErrorOut,
    403: ErrorOut,
    413: ImportRefusedOut,
    422: ImportRefusedOut,
}


def run_import(
    request: HttpRequest, entity: str, upload: UploadedFile, options: ImportQuery
) -> Status[dict[str, Any]]:
    if not access.reach(request.user).can_write:
        raise PermissionDenied
    max_bytes = imports.limits()[0]
    if upload.size is not None and upload.size > max_bytes:
        return Status(
            413,
            {
                "detail": imports.too_large_message(max_bytes),
                "reason": "too_large",
                "refused": True,
                "errors": [],
            },
        )
    # Reading one byte past the limit is enough to know a file is too large.
    content = upload.read(max_bytes + 1)
    report = imports.import_file(
        request.user,
        entity,
        upload.name or "",
        content,
        partial=options.partial,
        dry_run=options.dry_run,
        datum=options.datum,
    )
    if report.reason == "too_large":
        return Status(413, report.as_dict())
    if report.reason == "forbidden":
        raise PermissionDenied
    return Status(200 if report.accepted else 422, report.as_dict())


@router.post("/organizations/import", response=RESPONSES, tags=["organizations"])
def import_organizations(
    request: HttpRequest,
    options: Query[ImportQuery],  # type: ignore[type-arg]
    file: File[UploadedFile],  # type: ignore[type-arg]
) -> Any:
    """Import organisations from a CSV or Excel (.xlsx) file (multipart field `file`).

    The first row names the columns (English field names or the Chinese headers of the
    template at /organizations/import/template.xlsx). A row with `id`, or with the credit
    code of an organisation you can see, updates it; other rows create organisations.
    Every row is checked by the same rules as `POST /organizations`. By default nothing is
    written when any row is bad (422 with every row's errors); `partial=true` writes the
    good rows, `dry_run=true` writes nothing.
    """
    return run_import(request, "organization", file, options)


@router.post("/places/import", response=RESPONSES, tags=["places"])
def import_places(
    request: HttpRequest,
    options: Query[ImportQuery],  # type: ignore[type-arg]
    file: File[UploadedFile],  # type: ignore[type-arg]
) -> Any:
    """Import places from a CSV or Excel (.xlsx) file (multipart field `file`).

    Columns as in the template at /places/import/template.xlsx; `organization` is the
    owning organisation's id, credit code or exact name. A row with `id` updates that
    place. Same rules and options as the organisation import.
    """
    return run_import(request, "place", file, options)
