"""Create the ``editors`` group (see ``prepdeck.accounts.roles``)."""

from typing import Any

from django.db import migrations


def create_editors(apps: Any, schema_editor: Any) -> None:
    apps.get_model("auth", "Group").objects.get_or_create(name="editors")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_token"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_editors, migrations.RunPython.noop)]
