"""Server-rendered pages (Django templates + htmx): thin views over the same services and selectors as the API."""
