"""API authentication: a bearer token for machine clients, or the browser session (with CSRF)."""

from ninja.security import HttpBearer, SessionAuth

from .services import token_authenticate


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]
