"""Login throttling, password rules, API tokens and security headers."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts import services
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account_even_with_the_right_password(world, client):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "county", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "county", "password": PASSWORD})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_login_lands_on_the_workbench(world, client):
    response = client.post("/accounts/login/", {"username": "county", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert world["home"].name in response.content.decode() or "在册企业" in response.content.decode()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "太短"),
        ("alllettersandlong", "数字"),
        ("1234567890123", "数字"),
        ("longenough1234", "符号"),
    ],
)
def test_weak_passwords_are_refused(password, reason):
    with pytest.raises(ValidationError) as info:
        validate_password(password)
    assert any(reason in m for m in info.value.messages) or reason == "太短"


def test_strong_password_passes():
    validate_password("Gradient-Factory-2026")


def test_api_token_acts_as_its_user_and_stops_when_revoked(world, client):
    token, plain = services.token_create(user=world["county"], name="测试")
    assert token.digest != plain and plain.startswith("tidu_")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    items = client.get("/api/v1/enterprises", **auth).json()["items"]
    assert [i["name"] for i in items] == [world["home"].name]
    assert client.get(f"/api/v1/enterprises/{world['other'].pk}", **auth).status_code == 404
    assert services.token_revoke(user=world["county"], token_id=token.pk)
    assert client.get("/api/v1/enterprises", **auth).status_code == 401
    assert client.get("/api/v1/enterprises", HTTP_AUTHORIZATION="Bearer tidu_xxxx_forged").status_code == 401


def test_tokens_page_creates_and_revokes(world, login):
    client = login(world["city"])
    response = client.post("/accounts/tokens/", {"name": "数据对接", "days": "30"})
    assert "只显示这一次" in response.content.decode()
    token = world["city"].api_tokens.get()
    other = login(world["county"])
    assert other.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is None  # someone else's token is untouched
    client = login(world["city"])
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_session_api_writes_need_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(
        f"/api/v1/enterprises/{world['home'].pk}", '{"address": "x"}', content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "会话请求的写操作须带 CSRF 令牌（请求头 X-CSRFToken）；脚本和系统对接请使用 API 令牌",
        "problems": {},
    }  # not ninja's English "CSRF check Failed"
    world["home"].refresh_from_db()
    assert world["home"].address != "x"
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    english = client.patch(
        f"/api/v1/enterprises/{world['home'].pk}", '{"address": "x"}', content_type="application/json"
    )
    assert english.status_code == 403 and "CSRF" in english.json()["detail"] and "会话" not in english.json()["detail"]


def test_pages_send_security_headers(world, client):
    response = client.get("/accounts/login/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["httponly"]
