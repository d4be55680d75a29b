"""Bootstrap styling for every form, so templates render fields without per-field markup."""

from django import forms


def _css_for(widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
        return ""
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class StyledMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Idempotent; forms that replace fields in __init__ call it again at the end.

        It must not touch `self.errors`: that would validate the form before __init__ finishes narrowing
        its choices (a region field limited to the user's scope, for instance)."""
        for field in self.fields.values():
            if css := _css_for(field.widget):
                classes = set(field.widget.attrs.get("class", "").split()) | {css}
                field.widget.attrs["class"] = " ".join(sorted(classes))

    def full_clean(self) -> None:
        super().full_clean()
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()
