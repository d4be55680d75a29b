"""Public notice (公示): objections lodged while an application is on notice."""

from __future__ import annotations

from .models import Application, Objection


def open_objections(application: Application):
    return application.objections.filter(status=Objection.Status.OPEN)
