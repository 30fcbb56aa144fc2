"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("prepdeck.core.urls")),
    path("accounts/", include("prepdeck.accounts.urls")),
    path("admin/", admin.site.urls),
]
