"""Role questions have one home: accounts.policy. The source never spells "officer or admin" inline again."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.policy import Scope, menu_for

ROOT = Path(settings.BASE_DIR)
# `is_officer` and `is_admin` joined by or/and in either order, with any receiver (scope., scope_of(user).,
# self.user_scope.), a `not` or an opening parenthesis between them, across line breaks.
INLINE = re.compile(r"\bis_(officer|admin)\b[\s)]*\b(?:or|and)\s+(?:not\s+)?\(?\s*[\w.()]*?\bis_(admin|officer)\b")
SKIP_DIRS = {".venv", "node_modules", ".git", "var", "static", "locale"}


def inline_role_questions(text: str) -> list[str]:
    return [m.group(0) for m in INLINE.finditer(text) if m.group(1) != m.group(2)]


def test_the_scan_recognises_every_spelling_of_the_inline_question():
    spellings = [
        "scope.is_officer or scope.is_admin",
        "scope.is_admin or scope.is_officer",
        "not (scope.is_officer or scope.is_admin or scope.is_commissioner)",
        "{% if scope.is_officer or scope.is_admin %}",
        "not scope_of(user).is_officer and not scope_of(user).is_admin",
        "not self.user_scope.is_officer or self.user_scope.is_admin",
        "(scope.is_admin\n        or scope.is_officer)",
    ]
    for text in spellings:
        assert inline_role_questions(text), text
    assert not inline_role_questions("scope.is_admin or enterprise.pk in scope.own_enterprise_ids")
    assert not inline_role_questions("scope.is_authority or scope.is_commissioner")


def test_no_module_or_template_asks_officer_or_admin_inline():
    found = []
    for path in ROOT.rglob("*"):
        if path.suffix not in {".py", ".html", ".txt"} or SKIP_DIRS & set(path.relative_to(ROOT).parts):
            continue
        if path == Path(__file__):  # its own examples of what the scan must catch
            continue
        for hit in inline_role_questions(path.read_text(encoding="utf-8", errors="ignore")):
            found.append(f"{path.relative_to(ROOT)}: {hit!r}")
    assert not found, "ask accounts.policy (scope.is_authority, ...) instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("scope", "authority", "regional", "programme_side"),
    [
        (Scope(is_admin=True), True, False, True),
        (Scope(officer_paths=("3601",)), True, True, True),
        (Scope(is_admin=True, officer_paths=("3601",)), True, False, True),
        (Scope(commissioner_membership_ids=(1,)), False, False, True),
        (Scope(own_enterprise_ids=frozenset({1})), False, False, False),
        (Scope(own_enterprise_ids=frozenset({1}), provider_ids=frozenset({2})), False, False, False),
        (Scope(provider_ids=frozenset({2})), False, False, False),
        (Scope(is_expert=True), False, False, False),
    ],
)
def test_scope_answers_the_role_questions(scope, authority, regional, programme_side):
    assert scope.is_authority is authority
    assert scope.is_regional_officer is regional
    assert scope.is_authority_or_commissioner is programme_side


def test_the_menu_offers_governing_entries_only_to_authorities(world):
    for name in ("admin", "province", "county"):
        menu = menu_for(world[name])
        assert menu.imports and menu.report_batches and menu.groupings and menu.enterprises, name
    for name in ("enterprise", "commissioner", "provider", "expert", "nobody"):
        menu = menu_for(world[name])
        assert not (menu.imports or menu.report_batches or menu.groupings), name
    assert menu_for(world["enterprise"]).assessments and menu_for(world["commissioner"]).assessments
    assert not menu_for(world["provider"]).enterprises and not menu_for(world["expert"]).assessments
