from django.http import HttpRequest, HttpResponse


def map_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
