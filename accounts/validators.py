"""Password rules beyond Django's: a password must mix letters, digits and at least one other character."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    def validate(self, password: str, user=None) -> None:
        missing = []
        if not re.search(r"[A-Za-z]", password):
            missing.append(_("字母"))
        if not re.search(r"\d", password):
            missing.append(_("数字"))
        if not re.search(r"[^A-Za-z\d]", password):
            missing.append(_("符号"))
        if missing:
            raise ValidationError(
                _("密码还需要包含：%(kinds)s。") % {"kinds": "、".join(missing)}, code="password_classes"
            )

    def get_help_text(self) -> str:
        return _("密码须同时包含字母、数字和符号。")
