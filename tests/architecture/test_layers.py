"""Lower apps never reach a higher one: `core` <- `tracking` <- `warehouse` <- `picking`.

Imports are checked by import-linter (`make lint`, contracts in pyproject.toml). It cannot see models named
by strings, so this test scans for them: `apps.get_model("<app>", ...)` and `"<app>.<Model>"` references
(ForeignKey("warehouse.Item"), ...) from an app to one above it. Django's own apps (`auth`,
`contenttypes`, ...) are below every layer and may be named by all.
"""

from __future__ import annotations

import ast
import re

from tests.architecture.scan import APPS, get_model_uses, source_files

MODEL_REFERENCE = re.compile(r"^(?P<app>[a-z_]+)\.[A-Z]\w*$")


def _higher(path: str, label: str) -> bool:
    app = path.split("/", 1)[0]
    return label in APPS and APPS.index(label) > APPS.index(app)


def test_no_app_looks_up_a_model_of_a_higher_app_by_name() -> None:
    # given every get_model(...) of the apps (tests and migrations excluded)
    uses = get_model_uses()
    # then each names the app itself, a lower app or one of Django's own, as a literal
    wrong = [
        f"{path}:{line}: get_model({label!r}, ...)" for path, line, label in uses if _higher(path, label)
    ]
    unreadable = [f"{path}:{line}" for path, line, label in uses if label == "<not a literal>"]
    assert not wrong, "Lower apps may not look up models of higher apps:\n" + "\n".join(wrong)
    assert not unreadable, (
        "Name the app of get_model() with a literal so this test can check it:\n" + "\n".join(unreadable)
    )


def test_no_app_names_a_model_of_a_higher_app_in_a_string() -> None:
    wrong = []
    for path, tree in source_files():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = MODEL_REFERENCE.match(node.value)
                if match and _higher(path, match["app"]):
                    wrong.append(f"{path}:{node.lineno}: {node.value!r}")
    assert not wrong, "Lower apps may not name models of higher apps:\n" + "\n".join(wrong)


def test_the_scans_see_what_they_look_for() -> None:
    # core.roles looks up Django's auth models by name: found, and allowed
    assert ("core/roles.py", "auth") in {(path, label) for path, _, label in get_model_uses()}
    assert _higher("tracking/services.py", "warehouse") and not _higher(
        "picking/services/picks.py", "warehouse"
    )
