from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from subscriptions.views import staff

from .health import healthz

urlpatterns = [
    # Before the admin's own URLs: a staff member without a second factor sets one up here.
    path("admin/two-factor/", staff.two_factor_setup, name="staff_two_factor_setup"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Providers' delivery webhooks (bounces, complaints), e.g. /anymail/postmark/tracking/.
    path("anymail/", include("anymail.urls")),
    path("", include("subscriptions.urls")),
    path("", include("newsroom.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
