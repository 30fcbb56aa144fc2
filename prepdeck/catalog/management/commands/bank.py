"""``prepdeck bank load``: load or refresh the bundled question bank; ``prepdeck bank check``: its
multiple-choice figures (issue 13)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.catalog import services
from prepdeck.catalog.bank import checks
from prepdeck.catalog.bank import files as bank_files
from prepdeck.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Work with the bundled question bank. `bank load` creates missing questions and updates changed "
        "ones by key, keeping every user's progress; loading twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        load = actions.add_parser("load", help="Load or refresh the bundled bank.")
        load.add_argument("--json", action="store_true", help="Print the report as JSON.")
        check = actions.add_parser(
            "check",
            help="Print the multiple-choice figures of the bank files ('pick the longest' score, length "
            "ratios, questions with >= 3 distractors, offenders); exit status 1 when a check fails.",
        )
        check.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "check":
            self._check(as_json=options["json"])
            return
        try:
            report = services.bank_load(stdout=None if options["json"] else self.stdout)
        except ApplicationError as error:
            raise CommandError(error.message) from None
        if options["json"]:
            self.stdout.write(services.bank_report_json(report))

    def _check(self, *, as_json: bool) -> None:
        questions = [question for _path, question in bank_files.iter_questions()]
        figures = checks.choice_figures(questions)
        probes = checks.probe_figures(questions)
        failures = [*figures.failures(), *probes.failures()]
        if as_json:
            self.stdout.write(
                json.dumps({**figures.as_dict(), "probes": asdict(probes), "failures": failures}, indent=2)
            )
        else:
            score = figures.longest_pick_score
            self.stdout.write(
                f"Questions: {figures.questions}; with a choice of >= {checks.MIN_DISTRACTORS} distractors: "
                f"{figures.with_choice}; still with the old distractors list: {len(figures.legacy)}\n"
                f"'Always pick the longest option' scores: {'n/a' if score is None else score} "
                f"(limit {checks.LONGEST_PICK_LIMIT}); correct option strictly the longest in "
                f"{figures.correct_is_longest}\n"
                f"Length ratio correct / mean distractor: mean {figures.mean_length_ratio}, "
                f"max {figures.max_length_ratio} (limit {checks.LENGTH_RATIO_LIMIT} per question)\n"
                f"Advanced questions with >= {checks.ADVANCED_MIN_PROBES} probing follow-ups: "
                f"{probes.with_probes} of {probes.advanced}"
            )
            for offender in [*figures.ratio_offenders, *figures.sanity_offenders]:
                self.stdout.write(f"  {offender.key}: {offender.problem}")
            for key in probes.missing:
                self.stdout.write(f"  {key}: advanced, with fewer than {checks.ADVANCED_MIN_PROBES} probes")
            self.stdout.write("All checks pass." if not failures else "Failing: " + "; ".join(failures) + ".")
        if failures:
            raise SystemExit(1)
