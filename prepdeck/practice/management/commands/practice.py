"""``prepdeck practice optimize --user EMAIL``: fit a user's own FSRS parameters from their reviews."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.accounts import selectors as account_selectors
from prepdeck.core.exceptions import ApplicationError
from prepdeck.practice import services


class Command(BaseCommand):
    help = "Practice maintenance. `optimize --user EMAIL` fits FSRS parameters to that user's review log."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        optimize = actions.add_parser(
            "optimize",
            help='Fit the user\'s FSRS parameters (needs pip install "prepdeck[optimizer]", i.e. PyTorch).',
        )
        optimize.add_argument("--user", required=True, metavar="EMAIL")
        optimize.add_argument(
            "--min-reviews",
            type=int,
            default=services.MIN_REVIEWS_TO_FIT,
            help=f"Refuse to fit below this many reviews (default {services.MIN_REVIEWS_TO_FIT}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = account_selectors.user_get_by_email(email=options["user"].strip().lower())
        if user is None:
            raise CommandError(f"no user with the email {options['user']!r}")
        try:
            fitted = services.scheduler_parameters_fit(user=user, minimum_reviews=options["min_reviews"])
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Fitted FSRS parameters for {user.email} from {fitted.review_count} reviews; "
                "their next reviews use them."
            )
        )
