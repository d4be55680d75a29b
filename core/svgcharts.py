"""Small SVG charts for documents (the diagnosis report's HTML and PDF): the same markup in both, no script, no
fetch. Inputs are plain lists; labels are escaped. Values are 0–100 (None = not scored, drawn as a gap)."""

from __future__ import annotations

import math
from html import escape

FONT = "Noto Sans CJK SC, sans-serif"
BLUE = "#1f6feb"
GREY = "#9aa5b1"
LIGHT = "#e7f0fb"
AMBER = "#c98a00"


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def radar(
    names: list[str], values: list[float | None], *, peer: list[float | None] | None = None, size: int = 340
) -> str:
    """A radar of up to ~24 axes; `peer` (e.g. the peer median) is drawn dashed underneath."""
    n = len(names)
    if n < 3:
        return ""
    cx = cy = size / 2
    r = size / 2 - 62
    angle = lambda i: -math.pi / 2 + 2 * math.pi * i / n  # noqa: E731

    def point(i: int, v: float) -> tuple[float, float]:
        return cx + r * v / 100 * math.cos(angle(i)), cy + r * v / 100 * math.sin(angle(i))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
        f'font-family="{FONT}" font-size="9" role="img">'
    ]
    for ring in (20, 40, 60, 80, 100):
        pts = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (point(i, ring) for i in range(n)))
        parts.append(f'<polygon points="{pts}" fill="none" stroke="#d0d7de" stroke-width="0.6"/>')
    for i, name in enumerate(names):
        x, y = point(i, 100)
        parts.append(
            f'<line x1="{_fmt(cx)}" y1="{_fmt(cy)}" x2="{_fmt(x)}" y2="{_fmt(y)}" stroke="#d0d7de" stroke-width="0.6"/>'
        )
        lx, ly = point(i, 118)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        label = name if len(name) <= 8 else name[:7] + "…"
        parts.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 3)}" text-anchor="{anchor}" fill="#333">{escape(label)}</text>'
        )
    for series, colour, dash, fill in (
        (peer, GREY, ' stroke-dasharray="3,2"', "none"),
        (values, BLUE, "", "rgba(31,111,235,0.18)"),
    ):
        if series is None:
            continue
        pts = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in (point(i, v or 0) for i, v in enumerate(series)))
        parts.append(f'<polygon points="{pts}" fill="{fill}" stroke="{colour}" stroke-width="1.4"{dash}/>')
    parts.append("</svg>")
    return "".join(parts)


def bars(
    names: list[str], values: list[float | None], *, marks: list[float | None] | None = None, width: int = 520
) -> str:
    """Horizontal bars 0–100 with the value written at the end; `marks` (e.g. a threshold) as amber ticks."""
    row, label_w = 20, 150
    height = row * len(names) + 24
    plot = width - label_w - 44
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="{FONT}" font-size="10" role="img">'
    ]
    for t in (0, 25, 50, 75, 100):
        x = label_w + plot * t / 100
        parts.append(
            f'<line x1="{_fmt(x)}" y1="4" x2="{_fmt(x)}" y2="{height - 18}" stroke="#eaeef2" stroke-width="0.6"/>'
        )
        parts.append(f'<text x="{_fmt(x)}" y="{height - 6}" text-anchor="middle" fill="#666" font-size="8">{t}</text>')
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        y = 6 + i * row
        label = name if len(name) <= 12 else name[:11] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 11}" text-anchor="end" fill="#333">{escape(label)}</text>')
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + 11}" fill="#888">—</text>')
            continue
        w = plot * max(0.0, min(value, 100.0)) / 100
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{_fmt(w)}" height="{row - 8}" fill="{BLUE}" rx="1.5"/>')
        parts.append(f'<text x="{_fmt(label_w + w + 4)}" y="{y + 11}" fill="#111">{_fmt(value)}</text>')
        mark = marks[i] if marks else None
        if mark is not None:
            mx = label_w + plot * mark / 100
            parts.append(
                f'<line x1="{_fmt(mx)}" y1="{y}" x2="{_fmt(mx)}" y2="{y + row - 4}" '
                f'stroke="{AMBER}" stroke-width="1.6"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def percentile_bar(percentile: float, *, width: int = 220) -> str:
    """Where a percentile sits on 0–100, with the quartiles marked."""
    h = 16
    x = width * max(0.0, min(percentile, 100.0)) / 100
    ticks = "".join(
        f'<line x1="{_fmt(width * q / 100)}" y1="2" x2="{_fmt(width * q / 100)}" y2="{h - 2}" '
        'stroke="#fff" stroke-width="1"/>'
        for q in (25, 50, 75)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img">'
        f'<rect x="0" y="4" width="{width}" height="{h - 8}" fill="{LIGHT}" rx="2"/>'
        f'<rect x="0" y="4" width="{_fmt(x)}" height="{h - 8}" fill="{BLUE}" rx="2"/>{ticks}'
        f'<circle cx="{_fmt(x)}" cy="{h / 2}" r="4" fill="{BLUE}" stroke="#fff" stroke-width="1"/></svg>'
    )
