from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .health import healthz

urlpatterns = [
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
