"""One module per area of the site; each declares its own ``urlpatterns``, gathered in ``prepdeck.web.urls``."""
