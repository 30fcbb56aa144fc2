"""Every page of the site under the ``web`` namespace, gathered from one module per area."""

from prepdeck.web.views import bank, dashboard, editor, imports, study

app_name = "web"

urlpatterns = [
    *dashboard.urlpatterns,
    *bank.urlpatterns,
    *study.urlpatterns,
    *editor.urlpatterns,
    *imports.urlpatterns,
]
