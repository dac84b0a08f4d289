"""Settings, driven by the environment. Institution policy lives in the database."""

import contextlib
import os
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("LECTIO_DATA_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("LECTIO_DEBUG", False)
SECRET_KEY = os.environ.get("LECTIO_SECRET_KEY", "insecure-development-key-change-me")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "LECTIO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver"
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip()
    for o in os.environ.get("LECTIO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "lectio.core",
    "lectio.accounts",
    "lectio.courses",
    "lectio.catalog",
    "lectio.lists",
    "lectio.workflow",
    "lectio.citations",
    "lectio.collection",
    "lectio.analytics",
    "lectio.analytics.suggestions",
    "lectio.linking",
    "lectio.lti",
    "lectio.api",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lectio.core.middleware.TimezoneMiddleware",
    "lectio.core.middleware.SignInRequiredMiddleware",
]

ROOT_URLCONF = "lectio.urls"
WSGI_APPLICATION = "lectio.wsgi.application"
ASGI_APPLICATION = "lectio.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lectio.core.context_processors.lectio",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'lectio.sqlite3'}"
    db = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("LECTIO_CONN_MAX_AGE", "60"))
    )
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0 if db["NAME"] == ":memory:" else db["CONN_MAX_AGE"]
        db["OPTIONS"] = {
            # IMMEDIATE: read-then-write transactions take the write lock at BEGIN, so
            # concurrent writers queue on the busy timeout instead of failing at once.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
            ),
        }
        # Tests use a file, not memory: concurrency tests need real separate connections.
        # One file per test process, so two test runs on one machine never share one.
        test_dir = Path(os.environ.get("LECTIO_TEST_DB_DIR", tempfile.gettempdir()))
        test_dir.mkdir(parents=True, exist_ok=True)
        db["TEST"] = {"NAME": str(test_dir / f"lectio-test-{os.getpid()}.sqlite3")}
    else:
        db.setdefault("TEST", {})["NAME"] = os.environ.get(
            "LECTIO_TEST_DB_NAME", "test_lectio"
        )
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LECTIO_DEFAULT_TIME_ZONE = os.environ.get("LECTIO_TIME_ZONE", "Europe/London")

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LECTIO_STATIC_ROOT", DATA_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("LECTIO_MEDIA_ROOT", DATA_DIR / "media"))
WHITENOISE_USE_FINDERS = True
# whitenoise warns about a missing root even when the finders serve everything.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Files uploaded to citations: outside the web root, served only by a view that
    # checks the list's material access.
    "citation_files": {
        "BACKEND": os.environ.get(
            "LECTIO_FILES_STORAGE", "lectio.core.storage.PrivateFileSystemStorage"
        ),
        "OPTIONS": (
            {"location": os.environ["LECTIO_FILES_ROOT"]}
            if os.environ.get("LECTIO_FILES_ROOT")
            else {}
        ),
    },
}

CACHES = {
    "default": {
        "BACKEND": os.environ.get(
            "LECTIO_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
        ),
        "LOCATION": os.environ.get("LECTIO_CACHE_LOCATION", "lectio"),
    }
}

EMAIL_BACKEND = os.environ.get(
    "LECTIO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("LECTIO_FROM_EMAIL", "lectio@localhost")
EMAIL_HOST = os.environ.get("LECTIO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("LECTIO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("LECTIO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LECTIO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LECTIO_EMAIL_TLS", False)
EMAIL_TIMEOUT = 15

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "LECTIO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        ),
    }
}

# API rate limits (lectio/api/ratelimit.py): requests a second per caller, and burst.
LECTIO_API_RATE = float(os.environ.get("LECTIO_API_RATE", "25"))
LECTIO_API_BURST = float(os.environ.get("LECTIO_API_BURST", str(LECTIO_API_RATE * 2)))
# Loader files larger than this are refused whole, with a reason.
LECTIO_LOADER_MAX_BYTES = int(
    os.environ.get("LECTIO_LOADER_MAX_BYTES", str(64 * 1024 * 1024))
)
# Citation files (import) larger than this are one error, read no further.
LECTIO_IMPORT_MAX_BYTES = int(
    os.environ.get("LECTIO_IMPORT_MAX_BYTES", str(20 * 1024 * 1024))
)

# Outbound fetches of URLs from outside (lectio/core/http_guard.py).
LECTIO_FETCH_TIMEOUT = float(os.environ.get("LECTIO_FETCH_TIMEOUT", "15"))
LECTIO_FETCH_MAX_BYTES = int(
    os.environ.get("LECTIO_FETCH_MAX_BYTES", str(5 * 1024 * 1024))
)
LECTIO_FETCH_RATE = float(os.environ.get("LECTIO_FETCH_RATE", "30"))
LECTIO_FETCH_ALLOW_ADDRESSES = [
    a.strip()
    for a in os.environ.get("LECTIO_FETCH_ALLOW_ADDRESSES", "").split(",")
    if a.strip()
]
# host:port pairs fetched whatever their address or port (a named intranet host).
LECTIO_FETCH_ALLOW = [
    a.strip().lower()
    for a in os.environ.get("LECTIO_FETCH_ALLOW", "").split(",")
    if a.strip()
]
# Usage events: written in batches after responses; raw events kept this many days.
LECTIO_USAGE = env_bool("LECTIO_USAGE", True)
LECTIO_USAGE_BATCH = int(os.environ.get("LECTIO_USAGE_BATCH", "200"))
LECTIO_USAGE_SECONDS = float(os.environ.get("LECTIO_USAGE_SECONDS", "5"))
LECTIO_USAGE_KEEP_DAYS = int(os.environ.get("LECTIO_USAGE_KEEP_DAYS", "30"))
# Suggestions (docs/suggestions.md): kept per work or record; the fewest other lists
# a co-citation must be on; lists longer than this are not counted for co-citation.
LECTIO_SUGGESTIONS_TOP = int(os.environ.get("LECTIO_SUGGESTIONS_TOP", "10"))
LECTIO_SUGGESTIONS_MIN_LISTS = int(os.environ.get("LECTIO_SUGGESTIONS_MIN_LISTS", "2"))
LECTIO_SUGGESTIONS_MAX_LIST_WORKS = int(
    os.environ.get("LECTIO_SUGGESTIONS_MAX_LIST_WORKS", "1000")
)
# Slow library reports (lectio/analytics/snapshots.py): a page shows counted rows up
# to this many seconds old, then shows them while a background job counts again;
# rows older than the second figure are counted on the spot instead.
LECTIO_REPORT_FRESH_SECONDS = int(os.environ.get("LECTIO_REPORT_FRESH_SECONDS", "300"))
LECTIO_REPORT_STALE_SECONDS = int(os.environ.get("LECTIO_REPORT_STALE_SECONDS", "3600"))
# Identifier lookups outside Lectio (DOI content negotiation, Open Library, PubMed).
LECTIO_LOOKUP_TIMEOUT = float(os.environ.get("LECTIO_LOOKUP_TIMEOUT", "8"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LECTIO_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("LECTIO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LECTIO_LOG_LEVEL", "WARNING"),
    },
}

# LTI
# Lectio inside an LMS's iframe is a third-party context: browsers send the session
# and CSRF cookies there only when they are SameSite=None and Secure. On whenever
# cookies are secure (TLS); LECTIO_LTI_IFRAME_COOKIES=0 keeps SameSite=Lax.
if env_bool("LECTIO_LTI_IFRAME_COOKIES", SESSION_COOKIE_SECURE):
    SESSION_COOKIE_SAMESITE = "None"
    CSRF_COOKIE_SAMESITE = "None"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
# A launch's id_token may be at most this old (its iat), in seconds.
LECTIO_LTI_MAX_TOKEN_AGE = int(os.environ.get("LECTIO_LTI_MAX_TOKEN_AGE", "300"))
# Total time for fetching a platform's key set or calling its services.
LECTIO_LTI_FETCH_TIMEOUT = float(os.environ.get("LECTIO_LTI_FETCH_TIMEOUT", "5"))
# Cookies for the iframe are also Partitioned (CHIPS): browsers that block
# third-party cookies keep those, in a jar for the LMS's site only.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "lectio.lti.cookies.partitioned_cookies",
)
