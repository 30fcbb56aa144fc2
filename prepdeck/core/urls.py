from django.urls import path

from prepdeck.core import views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # Browsers ask for /favicon.ico on pages that name no icon (the API docs, a raw JSON response).
    path("favicon.ico", views.favicon, name="favicon"),
]
