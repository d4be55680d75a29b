"""`{% attachments_panel provider solution=None case=None %}`: the files of one pool record, with the upload form
for those who may add files and a delete button where the user may remove one."""

from django import template

from catalog import attachments

register = template.Library()


@register.inclusion_tag("catalog/_attachments_panel.html", takes_context=True)
def attachments_panel(context, provider, solution=None, case=None):
    user = context["request"].user
    items = list(attachments.attachments_of(provider=provider, solution=solution, case=case))
    for item in items:
        item.removable = attachments.may_remove(user, item)
    return {
        "attachments": items,
        "kinds": attachments.upload_kinds(user, provider=provider, solution=solution, case=case),
        "provider": provider,
        "solution": solution,
        "case": case,
        "max_mb": attachments.max_bytes() // (1024 * 1024),
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
