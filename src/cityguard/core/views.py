"""Pages of the core registry (being built)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("")


home = organization_list = organization_edit = organization_import = organization_detail = _todo
place_list = place_edit = place_import = place_detail = _todo
jurisdiction_list = jurisdiction_detail = jurisdiction_edit = _todo
