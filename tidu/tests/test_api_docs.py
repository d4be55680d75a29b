"""The OpenAPI description and its docs page work offline (no CDN) for a signed-in user."""

import pytest

pytestmark = pytest.mark.django_db


def test_docs_page_uses_local_assets(world, login):
    page = login(world["county"]).get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_openapi_lists_the_archive_endpoints(world, login):
    spec = login(world["county"]).get("/api/v1/openapi.json").json()
    assert {"/api/v1/enterprises", "/api/v1/enterprises/{pk}", "/api/v1/regions", "/api/v1/industries"} <= set(
        spec["paths"]
    )
