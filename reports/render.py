"""Rendering composed report content as an HTML page body and as a PDF. Both use the same section partials and the
same SVG charts, computed here from the content alone, so an issued report renders the same forever."""

from __future__ import annotations

import functools

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core import pdf as pdf_engine
from core import svgcharts


def _safe(svg: str) -> SafeString:
    return mark_safe(svg)  # noqa: S308 -- core.svgcharts builds the markup itself and escapes every label


def charts(content: dict) -> dict:
    """SVG markup per model code: radar of the sub-domains, bars of the domains, ladder of level scores."""
    out = {}
    for section in content["models"]:
        peers = section.get("peers") or {}
        ladder = [row for row in reversed(section["ladder"]) if row.get("score") is not None]
        out[section["code"]] = {
            "radar": _safe(svgcharts.radar(section["radar"]["names"], section["radar"]["values"])),
            "domains": _safe(
                svgcharts.bars([d["name"] for d in section["domains"]], [d["score"] for d in section["domains"]])
            ),
            "levels": _safe(
                svgcharts.bars(
                    [row["name"] for row in ladder],
                    [round(100 * row["score"], 1) for row in ladder],
                    marks=[
                        round(100 * row["threshold"], 1) if row.get("threshold") is not None else None for row in ladder
                    ],
                )
            )
            if ladder
            else "",
            "percentile": _safe(svgcharts.percentile_bar(peers["total"]["percentile"]))
            if (peers.get("total") or {}).get("percentile") is not None
            else "",
        }
    return out


@functools.cache
def _report_css() -> SafeString:
    """The report's stylesheet, inlined into the PDF (WeasyPrint fetches nothing); the page links the same file."""
    return _safe((settings.BASE_DIR / "static" / "css" / "report.css").read_text(encoding="utf-8"))


def context(content: dict) -> dict:
    return {"c": content, "charts": charts(content), "report_css": _report_css()}


def html_body(content: dict) -> str:
    return render_to_string("reports/_body.html", context(content))


def pdf_html(content: dict) -> str:
    return render_to_string("reports/report_pdf.html", context(content))


def pdf(content: dict) -> bytes:
    return pdf_engine.render_pdf(pdf_html(content))
