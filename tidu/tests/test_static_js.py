"""Rules for the page scripts that draw charts: every ECharts chart is resized and disposed by the one helper
(static/js/chart_lifecycle.js), never by its own window "resize" listener — charts re-laid out at transient sizes
(a full-page screenshot, a page being left) threw uncaught errors in loaded browsers."""

from pathlib import Path

from django.conf import settings

SCRIPTS = Path(settings.BASE_DIR) / "static" / "js"


def test_every_chart_script_uses_the_one_lifecycle_rule():
    drawing = [p for p in SCRIPTS.glob("*.js") if "echarts.init(" in p.read_text(encoding="utf-8")]
    assert drawing, "no chart scripts found: the rule would pass vacuously"
    for script in drawing:
        text = script.read_text(encoding="utf-8")
        assert "window.tiduChart(" in text, f"{script.name} draws a chart without chart_lifecycle.js"
        assert 'addEventListener("resize"' not in text, f"{script.name} resizes its charts on its own"


def test_every_template_loading_a_chart_script_loads_the_lifecycle_first():
    templates = Path(settings.BASE_DIR) / "templates"
    drawing = {p.name for p in SCRIPTS.glob("*.js") if "echarts.init(" in p.read_text(encoding="utf-8")}
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for name in drawing:
            tag = f"js/{name}"
            if tag in text:
                assert "js/chart_lifecycle.js" in text, f"{template.name} loads {name} without chart_lifecycle.js"
                assert text.index("js/chart_lifecycle.js") < text.index(tag), f"{template.name}: lifecycle after {name}"
