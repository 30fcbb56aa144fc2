"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from prepdeck.core import api_docs, views

urlpatterns = [
    path("", include("prepdeck.core.urls")),
    path("", include("prepdeck.web.urls")),
    path("accounts/", include("prepdeck.accounts.urls")),
    path("interviews/", include("prepdeck.interviews.views")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", api_docs.redoc_bundle, name="api-redoc-bundle"),
]

# Outside API views (an unknown /api/ URL, a crash in middleware) errors still answer JSON under /api/.
handler404 = views.not_found
handler500 = views.server_error
