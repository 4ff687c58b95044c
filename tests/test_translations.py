"""Every user-facing string is marked for translation and translated into German and Spanish
(docs/translating.md, "The checks").

- `makemessages` run in a temporary copy of the project finds exactly the message ids of the committed
  catalogues: a new string that was marked but not added to the catalogues, or a catalogue entry whose
  string is gone, fails.
- Every German and Spanish catalogue has 0 untranslated and 0 fuzzy messages (what `msgfmt --statistics`
  reports), and every app has its catalogues.
- Obvious unmarked strings fail: visible text in templates outside `{% translate %}` /
  `{% blocktranslate %}`, and in Python the messages of errors, `messages.*`, form labels and `detail`s
  written as plain string literals.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.management.commands.compiletranslations import catalogue_paths, incomplete_messages

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("de", "es")
APPS = ("core", "tracking", "warehouse", "picking")
# What makemessages reads (the Makefile's `translations` target ignores the same folders).
IGNORED = ["tests", "benchmarks", "docs", "staticfiles", "node_modules", "build", "dist"]
COPY_SKIP = {".venv", ".git", "staticfiles", "node_modules", "test-artifacts", "__pycache__", ".mypy_cache"}


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msguniq") if shutil.which(tool) is None]
    if missing:
        reason = (
            f"GNU gettext ({', '.join(missing)}) is not installed: makemessages cannot run. "
            "Install it (apt-get install gettext) to check that every string is in the catalogues."
        )
        if os.environ.get("LOTPICK_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def _msgids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def _copy_project(target: Path) -> Path:
    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if n in COPY_SKIP or n.endswith((".mo", ".pyc", ".sqlite3"))}

    shutil.copytree(ROOT, target, ignore=ignore)
    return target


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose catalogues were just updated by makemessages (as `make translations`)."""
    _require_gettext()
    copy = _copy_project(tmp_path_factory.mktemp("translations") / "lotpick")
    ignores = [arg for folder in IGNORED for arg in ("-i", folder)]
    command = [sys.executable, "manage.py", "makemessages", *[f"-l{lang}" for lang in LANGUAGES]]
    env = {**os.environ, "PYTHONPATH": str(copy), "DJANGO_SETTINGS_MODULE": "config.settings"}
    for domain_args in (["-d", "django"], ["-d", "djangojs", "-i", "static/vendor"]):
        if domain_args[1] == "djangojs" and not list(ROOT.glob("**/locale/*/LC_MESSAGES/djangojs.po")):
            continue  # no JavaScript catalogue yet
        result = subprocess.run(
            [*command, "--no-obsolete", "--add-location", "file", *domain_args, *ignores],
            cwd=copy,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    return copy


def _catalogues(root: Path, domain: str = "django") -> dict[str, Path]:
    return {
        str(path.relative_to(root)): path
        for path in root.glob(f"**/locale/*/LC_MESSAGES/{domain}.po")
        if not COPY_SKIP.intersection(path.relative_to(root).parts)
    }


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_committed_catalogues_hold_exactly_the_marked_strings(fresh_catalogues: Path, domain: str) -> None:
    # given the catalogues makemessages writes now, and the committed ones
    fresh, committed = _catalogues(fresh_catalogues, domain), _catalogues(ROOT, domain)
    problems = []
    for name, path in sorted(fresh.items()):
        ids = _msgids(path)
        if not ids:
            continue
        if name not in committed:
            problems.append(f"{name}: missing ({len(ids)} strings); run `make translations`")
            continue
        known = _msgids(committed[name])
        for text in sorted(ids - known):
            problems.append(f"{name}: not in the catalogue: {text!r}")
        for text in sorted(known - ids):
            problems.append(f"{name}: no longer in the code (stale): {text!r}")
    # then they are the same: run `make translations`, translate, commit
    assert not problems, "\n".join(problems[:80]) + f"\n({len(problems)} problems)"


EXPECTED = [
    f"{prefix}locale/{lang}/LC_MESSAGES/django.po"
    for prefix in [*(f"{a}/" for a in APPS), ""]
    for lang in LANGUAGES
]


@pytest.mark.parametrize(
    "catalogue",
    EXPECTED,
)
def test_every_catalogue_is_complete(catalogue: str) -> None:
    # the German and Spanish catalogue of every app and of the project exist
    path = ROOT / catalogue
    assert path.exists(), f"{catalogue} is missing: run `make translations` and translate it"
    # and hold no untranslated and no fuzzy message (as `msgfmt --statistics` counts them)
    untranslated, fuzzy = incomplete_messages(path)
    assert not untranslated and not fuzzy, (
        f"{catalogue}: {len(untranslated)} untranslated {untranslated[:10]}, {len(fuzzy)} fuzzy {fuzzy[:10]}"
    )


def test_every_committed_catalogue_is_complete() -> None:
    """Whatever catalogues there are (a new language too): complete."""
    for path in catalogue_paths(ROOT):
        untranslated, fuzzy = incomplete_messages(path)
        assert not untranslated and not fuzzy, (path, untranslated[:5], fuzzy[:5])


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_message_one_translation(language: str) -> None:
    """The same English text in two catalogues is shown with one translation (the project's catalogue
    wins, then the app listed first, then Django's and the libraries'): every catalogue must say what the
    page shows, so that a translator who edits one entry sees the result. A word that must differ gets a
    context (docs/translating.md, "Marking strings")."""
    from asgiref.local import Local
    from django.core.management import call_command
    from django.utils import translation
    from django.utils.translation import trans_real

    call_command("compiletranslations", verbosity=0)
    vars(trans_real).update(_translations={}, _default=None, _active=Local())
    differ = []
    with translation.override(language):
        for path in [p for p in catalogue_paths(ROOT) if f"/{language}/" in str(p)]:
            with path.open("rb") as handle:
                catalog = read_po(handle)
            for m in catalog:
                if not m.id:
                    continue
                if isinstance(m.id, str):
                    want = m.string
                    shown = translation.pgettext(m.context, m.id) if m.context else translation.gettext(m.id)
                else:
                    want = m.string[1] if isinstance(m.string, (tuple, list)) else m.string
                    shown = (
                        translation.npgettext(m.context, m.id[0], m.id[1], 2)
                        if m.context
                        else translation.ngettext(m.id[0], m.id[1], 2)
                    )
                if shown != want:
                    differ.append(f"{path.relative_to(ROOT)}: {m.id!r}: {want!r}, but pages show {shown!r}")
    assert not differ, "\n".join(differ)


# --- Obvious unmarked strings -----------------------------------------------------------------------------

# Template syntax that holds no visible text of its own, or translated text.
_TEMPLATE_SKIP = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}"
    r"|{#.*?#}"
    r"|{%\s*blocktrans(?:late)?\b.*?{%\s*endblocktrans(?:late)?\s*%}"
    r"|{%.*?%}"
    r"|{{.*?}}",
    flags=re.S,
)
# Visible attributes that people read (screen readers too).
_TEXT_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Words that are the same in every language: names, codes, units.
_SAME_EVERYWHERE = {"lotpick", "GS1", "GTIN", "PDF", "JSON", "API", "ERP", "ID", "OK", "HTTP", "URL", "SSCC"}
_TEMPLATE_FOLDERS_SKIP = {"drf_spectacular"}  # the API documentation pages (English, like the API)


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._check(data)

    def _check(self, text: str) -> None:
        words = [
            w for w in re.findall(r"[^\W\d_][\w'\u2019.-]*", text) if w.strip(".") not in _SAME_EVERYWHERE
        ]
        if any(len(w) > 1 or w.isalpha() for w in words):
            self.found.append((self.getpos()[0], " ".join(text.split())))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else path.name


def _templates() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(
        path
        for folder in folders
        if folder.exists()
        for path in folder.glob("**/*.html")
        if not _TEMPLATE_FOLDERS_SKIP.intersection(path.relative_to(folder).parts)
    )


def unmarked_template_text(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    # blank out template syntax, keeping line numbers
    blanked = _TEMPLATE_SKIP.sub(lambda m: "\n" * m.group(0).count("\n") + " ", source)
    parser = _VisibleText()
    parser.feed(blanked)
    return [f"{_name(path)}:{line}: {text}" for line, text in parser.found]


def test_template_scan_finds_unmarked_text(tmp_path: Path) -> None:
    """The scan itself: it finds plain text and attributes, and accepts translated text."""
    page = tmp_path / "page.html"
    page.write_text(
        '{% load i18n %}<h1>{% translate "Picks" %}</h1><p>Qty. to Handle</p>'
        '<input placeholder="Scan here" aria-label="{% translate \'Scan\' %}">'
        "{% blocktranslate with n=3 %}{{ n }} lines{% endblocktranslate %}{# a note #}"
        "<span>{{ x }} · 3</span>"
        "<script>let a = 'text';</script><b>GTIN</b>",
        encoding="utf-8",
    )
    found = unmarked_template_text(page)
    assert [f.split(": ", 1)[1] for f in found] == ["Qty. to Handle", "Scan here"]


@pytest.mark.parametrize(
    "template",
    [str(p.relative_to(ROOT)) for p in _templates()],
)
def test_templates_show_no_unmarked_text(template: str) -> None:
    found = unmarked_template_text(ROOT / template)
    assert not found, "Mark with {% translate %} / {% blocktranslate %}:\n" + "\n".join(found)


# Python: messages people read, written as plain literals (not _("...") / gettext_lazy("...")).
_ERROR_CLASS = re.compile(r"(Error|Refused|Input|Conflict|Denied|Exhausted|Locked|Invalid|InUse|Document)$")
_TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}


def _is_plain_text(node: ast.AST | None) -> bool:
    """A literal string people would read (has a letter and a space), or an f-string."""
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and re.search(r"[A-Za-z]{2}", str(v.value)) for v in node.values
        )
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(re.search(r"[A-Za-z]{2,}[ .]", node.value))
    )


def unmarked_python_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    api_module = path.name.startswith(("api", "openapi")) or path.parent.name == "apis"
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            is_message = (
                isinstance(owner, ast.Name)
                and owner.id == "messages"
                and name
                in {
                    "success",
                    "error",
                    "info",
                    "warning",
                    "add_message",
                }
            )
            if is_message and len(node.args) >= 2 and _is_plain_text(node.args[1]):
                found.append((node.lineno, f"messages.{name}"))
            programmer_error = hasattr(builtins, name or "")  # TypeError & co.: for developers, in English
            if (
                _ERROR_CLASS.search(name or "")
                and not programmer_error
                and node.args
                and _is_plain_text(node.args[0])
            ):
                found.append((node.lineno, f"{name}(...)"))
            for keyword in node.keywords:
                if keyword.arg == "help_text" and api_module:
                    continue  # the API's schema documentation stays English, like the API (docs/api.md)
                if keyword.arg in _TEXT_KEYWORDS and _is_plain_text(keyword.value):
                    found.append((keyword.value.lineno, f"{keyword.arg}="))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "detail" and _is_plain_text(value):
                    found.append((value.lineno, '"detail":'))
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if {"title", "default_detail", "message"} & set(targets) and _is_plain_text(node.value):
                found.append((node.lineno, f"{targets[0]} ="))
    return [f"{_name(path)}:{line}: {what}" for line, what in sorted(found)]


def _python_files(app: str) -> list[Path]:
    return sorted(
        p
        for p in (ROOT / app).glob("**/*.py")
        if not {"tests", "migrations", "management"}.intersection(p.relative_to(ROOT / app).parts)
        and p.name != "demo.py"  # demo data, not interface text
    )


def test_python_scan_finds_unmarked_messages(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        "from django.utils.translation import gettext as _\n"
        "raise InvalidInput(f'Bin {code} is blocked.')\n"
        "raise InvalidInput(_('Bin %(bin)s is blocked.') % {'bin': code})\n"
        "messages.success(request, 'The pick was posted.')\n"
        "field = forms.CharField(label='Lot No.')\n"
        "errors = [{'field': 'bin', 'code': 'x', 'detail': 'Unknown bin.'}]\n"
        "class E(Conflict):\n    title = 'Conflict here.'\n",
        encoding="utf-8",
    )
    found = unmarked_python_strings(module)
    assert [f.split(": ", 1)[1] for f in found] == [
        "InvalidInput(...)",
        "messages.success",
        "label=",
        '"detail":',
        "title =",
    ]


@pytest.mark.parametrize("app", [*APPS, "config"])
def test_python_code_has_no_unmarked_messages(app: str) -> None:
    found = [line for path in _python_files(app) for line in unmarked_python_strings(path)]
    assert not found, "Mark with gettext / gettext_lazy:\n" + "\n".join(found)
