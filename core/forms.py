"""Bootstrap styling for every form, so templates render fields without per-field markup."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe


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


def _read_once(choices) -> list:
    """A ModelChoiceField's choices are a fresh query each time they are iterated, list() asks their len() first (a
    COUNT query), and iterating them streams through a server-side cursor on PostgreSQL (three round trips): read the
    rows with one plain query instead, as the iterator would yield them."""
    if not isinstance(choices, ModelChoiceIterator):
        return list(choices)
    head = [("", choices.field.empty_label)] if choices.field.empty_label is not None else []
    return head + [choices.choice(obj) for obj in choices.queryset]


class QuickSelect(forms.Select):
    """A single <select> rendered in Python instead of one template per option.

    Django renders every option through `select_option.html`; for the few hundred regions, industries, labels,
    clusters and chains of a list page's filter form that costs several times the page's SQL. Same markup as
    `forms.Select` for flat choices (a test compares them); grouped choices fall back to Django's rendering."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = _read_once(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {"" if v is None else str(v) for v in self.format_value(value)}
        parts = [format_html("<select{}>", flatatt(final))]
        selected_once = False
        for option_value, label in choices:
            text = "" if option_value is None else str(option_value)
            selected = not selected_once and text in chosen  # a single select marks its first match only
            selected_once = selected_once or selected
            # conditional_escape directly: format_html's parsing of its template costs more than the escaping.
            mark = " selected" if selected else ""
            parts.append(f'<option value="{conditional_escape(text)}"{mark}>{conditional_escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 -- every value above is escaped
