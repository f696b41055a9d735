"""The site's URLs and a trivial view, mounted only by bench/settings.py."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("_bench/trivial/", trivial),
    path("", include("config.urls")),
]
