"""Factories for accounts."""

from __future__ import annotations

import factory

from prepdeck.accounts.models import User

DEFAULT_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            obj.save()


def make_user(**fields: object) -> User:
    """A saved user whose password is ``DEFAULT_PASSWORD`` (typed wrapper around the factory)."""
    user = UserFactory(**fields)
    assert isinstance(user, User)
    return user


def make_editor(**fields: object) -> User:
    """A user in the ``editors`` group. A migration creates the group; it is created here too because a
    transactional test (the browser tests) starts from a flushed database, without migration data."""
    from django.contrib.auth.models import Group

    from prepdeck.accounts.roles import EDITORS_GROUP

    user = make_user(**fields)
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    return user
