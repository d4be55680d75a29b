"""The one settings file. Everything that differs between machines comes from TIDU_* environment variables;
the defaults are safe for a laptop and need no service (SQLite under var/)."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TIDU_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def _secret_key() -> str:
    """A production deployment sets TIDU_SECRET_KEY; a laptop gets a random key kept in var/ (never in git)."""
    if key := os.environ.get("TIDU_SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("TIDU_DEBUG")
ALLOWED_HOSTS = env_list("TIDU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("TIDU_CSRF_TRUSTED_ORIGINS", "")

AUTH_USER_MODEL = "accounts.User"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",  # serves the Swagger UI of /api/v1/docs from local static files, not a CDN
    "django_tasks_db",
    "core",
    "regions",
    "accounts",
    "notifications",
    "catalog",
    "enterprises",
    "assessments",
    "incentives",
    "reports",
    "monitoring",
    "recognition",
    "airegistry",
    "assistant",
    "datasecurity",
    "scheduling",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tidu.urls"
WSGI_APPLICATION = "tidu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "core.context_processors.platform",
                "accounts.context_processors.navigation",
                "enterprises.context_processors.demo_banner",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TIDU_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tidu.sqlite3'}",
        conn_max_age=int(os.environ.get("TIDU_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write progress while pages read; the wait avoids "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": {
            "db": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
        }[os.environ.get("TIDU_TASKS_BACKEND") or "db"]
    }
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["TIDU_REDIS_URL"]}
        if os.environ.get("TIDU_REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tidu_cache"}
    )
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed logins: after 5 failures for one username from one address the pair is locked for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TIDU_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("TIDU_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SECURE_HTTPS = env_bool("TIDU_HTTPS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_HTTPS
SESSION_COOKIE_AGE = int(os.environ.get("TIDU_SESSION_HOURS", "8")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = SECURE_HTTPS
SECURE_HSTS_SECONDS = 31536000 if SECURE_HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TIDU_BEHIND_PROXY") else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIDU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request when it is missing
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("TIDU_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Imports: a file larger than this is refused before it is read.
TIDU_IMPORT_MAX_BYTES = int(os.environ.get("TIDU_IMPORT_MAX_MB", "50")) * 1024 * 1024
# A ZIP-based upload (xlsx, docx, pptx) may expand to at most this much per member and in total: a few MB of
# compressed XML can expand to gigabytes. 50,000 rows × 173 columns of a real workbook is ~300 MB of sheet XML.
TIDU_UPLOAD_MAX_EXPANDED_MB = int(os.environ.get("TIDU_UPLOAD_MAX_EXPANDED_MB", "512"))
TIDU_UPLOAD_MAX_EXPANDED_TOTAL_MB = int(os.environ.get("TIDU_UPLOAD_MAX_EXPANDED_TOTAL_MB", "1024"))
# An imported sheet may span at most this many rows (header included) and columns: the reader builds a grid from A1
# to the last cell, so one cell at XFD1048576 would ask for ~17 billion cells. Checked while the XML streams past.
TIDU_IMPORT_MAX_ROWS = int(os.environ.get("TIDU_IMPORT_MAX_ROWS", "200000"))
TIDU_IMPORT_MAX_COLUMNS = int(os.environ.get("TIDU_IMPORT_MAX_COLUMNS", "256"))
# A phase of an import job (check or commit) running longer than this is failed with its reason; one whose worker
# has not been heard of for TIDU_JOB_STALE_MINUTES is taken for dead and failed when the page polls or a worker starts.
TIDU_JOB_TIME_LIMIT_MINUTES = float(os.environ.get("TIDU_JOB_TIME_LIMIT_MINUTES", "30"))
TIDU_JOB_STALE_MINUTES = float(os.environ.get("TIDU_JOB_STALE_MINUTES", "10"))
# Uploaded import files are deleted this many days after upload (the job and its report stay): `tidu purge_uploads`.
TIDU_UPLOAD_RETENTION_DAYS = int(os.environ.get("TIDU_UPLOAD_RETENTION_DAYS", "30"))
TIDU_ATTACHMENT_MAX_MB = int(os.environ.get("TIDU_ATTACHMENT_MAX_MB", "20"))  # provider, solution and case files
# Monitoring: a group smaller than this is shown as counts, never as a percentage (a share of 3 enterprises says
# nothing and may single one out); a target below its trajectory by at most this fraction of its planned rise is
# "at risk" rather than "behind".
TIDU_MIN_GROUP_SIZE = int(os.environ.get("TIDU_MIN_GROUP_SIZE", "10"))
TIDU_TARGET_AT_RISK_TOLERANCE = os.environ.get("TIDU_TARGET_AT_RISK_TOLERANCE", "0.10")
# Officially reviewed boundary files (<province code>.json, GeoJSON with properties.code per county) replacing the
# vendored drawing, which is not a reviewed map and is labelled so on every map.
TIDU_MAP_DIR = os.environ.get("TIDU_MAP_DIR", "")
# Tidu's one holiday calendar: recognition deadlines, public-notice periods and the data-security clocks all count
# working days on it. A directory of per-year YAML files or one combined file (years, holidays, workdays, status);
# unset, the shipped datasecurity/calendars/<year>.yaml, marked provisional on every page that shows a deadline.
# TIDU_DATASECURITY_CALENDARS is the earlier name of the same setting, still read when the new one is unset.
TIDU_HOLIDAY_CALENDAR = os.environ.get("TIDU_HOLIDAY_CALENDAR") or os.environ.get("TIDU_DATASECURITY_CALENDARS", "")
TIDU_PLATFORM_NAME = os.environ.get("TIDU_PLATFORM_NAME", "梯度 · 智改数转服务平台")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TIDU_LOG_LEVEL", "WARNING")},
}


def _site_url(raw: str) -> str:
    """The address users reach the site at, as "scheme://host[:port][/prefix]" without a trailing slash.

    Every absolute link (verification addresses in PDFs and QR codes, links in e-mails) is built from it by
    core.links.absolute_url, so a wrong value must stop the start rather than print dead links on paper."""
    from urllib.parse import urlsplit

    from django.core.exceptions import ImproperlyConfigured

    value = raw.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        raise ImproperlyConfigured(f"TIDU_SITE_URL={raw!r} is not a URL: {exc}") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"TIDU_SITE_URL={raw!r} must start with http:// or https:// and name a host, e.g. https://tidu.example.cn"
        )
    if parts.query or parts.fragment or parts.username or parts.password or "//" in parts.path:
        raise ImproperlyConfigured(
            f"TIDU_SITE_URL={raw!r} may hold only scheme, host, port and an optional path prefix "
            "(no query, fragment or user), e.g. https://example.cn/tidu"
        )
    return value


# The site's public address; absolute links come from it (core.links). TIDU_PUBLIC_URL is its former name.
TIDU_SITE_URL = _site_url(
    os.environ.get("TIDU_SITE_URL") or os.environ.get("TIDU_PUBLIC_URL") or "http://127.0.0.1:8000"
)
# Outgoing mail (notifications). A laptop prints messages on the console; a deployment names its SMTP relay.
if os.environ.get("TIDU_SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["TIDU_SMTP_HOST"],
                "port": int(os.environ.get("TIDU_SMTP_PORT", "25")),
                "username": os.environ.get("TIDU_SMTP_USER", ""),
                "password": os.environ.get("TIDU_SMTP_PASSWORD", ""),
                "use_tls": env_bool("TIDU_SMTP_TLS"),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("TIDU_EMAIL_FROM", "tidu@localhost")
# The issuer printed on a report when no role names one.
TIDU_ISSUER = os.environ.get("TIDU_ISSUER", "梯度智改数转服务平台")
