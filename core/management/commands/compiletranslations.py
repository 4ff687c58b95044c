"""`manage.py compiletranslations`: compile every translation catalogue (locale/*/LC_MESSAGES/django.po of
the project and of each app) to the .mo file Django reads, in pure Python (Babel): no GNU gettext needed.

`make install`, `make run` and .ci/run call it; .mo files are build products, never committed
(docs/translating.md). Like `compilemessages`, it refuses a catalogue that cannot be read, and with
--check it also fails on untranslated or fuzzy messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

SKIP = {".venv", "node_modules", ".git", "staticfiles", "build", "dist"}


def catalogue_paths(root: Path) -> list[Path]:
    """Every locale/<language>/LC_MESSAGES/django.po under `root` (not in the virtualenv)."""
    return sorted(
        path
        for path in root.glob("**/locale/*/LC_MESSAGES/django.po")
        if not SKIP.intersection(path.relative_to(root).parts)
    )


def incomplete_messages(path: Path) -> tuple[list[str], list[str]]:
    """The ids of the untranslated and of the fuzzy messages of a catalogue."""
    with path.open("rb") as handle:
        catalog = read_po(handle)
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue  # the header
        text = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            fuzzy.append(text)
        elif not all(strings):
            untranslated.append(text)
    return untranslated, fuzzy


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/django.po to django.mo (pure Python, no GNU gettext)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Also fail when a message is untranslated or fuzzy."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(settings.BASE_DIR)
        paths = catalogue_paths(root)
        problems: list[str] = []
        for path in paths:
            try:
                with path.open("rb") as handle:
                    catalog = read_po(handle, abort_invalid=True)
            except Exception as exc:
                raise CommandError(f"{path.relative_to(root)}: cannot be read: {exc}") from exc
            if options["check"]:
                untranslated, fuzzy = incomplete_messages(path)
                if untranslated or fuzzy:
                    problems.append(
                        f"{path.relative_to(root)}: {len(untranslated)} untranslated, {len(fuzzy)} fuzzy"
                    )
            with path.with_suffix(".mo").open("wb") as handle:
                # fuzzy messages are left out, as msgfmt does (Django would show them otherwise)
                write_mo(handle, catalog, use_fuzzy=False)
        if options["verbosity"] > 0:
            self.stdout.write(f"Compiled {len(paths)} catalogues.")
        if problems:
            raise CommandError("Incomplete catalogues:\n" + "\n".join(problems))
