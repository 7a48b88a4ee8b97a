"""Configuration from environment variables."""

import os
import re
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    """Settings read from the environment when the app is created."""

    def __init__(self) -> None:
        instance = Path(os.environ.get("LMS_INSTANCE_DIR", _ROOT / "instance"))
        self.SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-change-me")
        self.SQLALCHEMY_DATABASE_URI = _normalise_db_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'lms.sqlite3'}")
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.STORAGE_DIR = os.environ.get("STORAGE_DIR", str(_ROOT / "storage"))
        self.CONTENT_DIR = os.environ.get("CONTENT_DIR", str(_ROOT / "course_content"))
        self.TOKEN_TTL_SECONDS = _int("TOKEN_TTL_SECONDS", 8 * 3600)
        self.STATS_SUPPRESSION_K = _int("STATS_SUPPRESSION_K", 3)
        self.STATS_CACHE_SECONDS = _int("STATS_CACHE_SECONDS", 60)
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
        # the OJT site CSV import streams its body to STORAGE_DIR, so it may be far larger
        self.OJT_IMPORT_MAX_BYTES = _int("OJT_IMPORT_MAX_BYTES", 64 * 1024 * 1024)
        # a state, activity profile or agent profile document of the LRS (any media type, read whole)
        self.XAPI_DOCUMENT_MAX_BYTES = _int("XAPI_DOCUMENT_MAX_BYTES", 2 * 1024 * 1024)
        self.LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 900)
        self.VERIFY_RATE_LIMIT = _int("VERIFY_RATE_LIMIT", 60)
        # public self-registrations per hour per client address
        self.REGISTER_RATE_LIMIT = _int("REGISTER_RATE_LIMIT", 10)
        self.REPORT_RETENTION_DAYS = _int("REPORT_RETENTION_DAYS", 90)
        self.REPORT_MAX_ATTEMPTS = _int("REPORT_MAX_ATTEMPTS", 3)
        # an Idempotency-Key replays its response for this long; older records are pruned daily
        self.IDEMPOTENCY_RETENTION_HOURS = _int("IDEMPOTENCY_RETENTION_HOURS", 24)
        self.CORS_ORIGINS = [o for o in os.environ.get("CORS_ORIGINS", "").split(",") if o]
        # origins whose content may call the LRS (/api/v1/xapi/) from a browser; empty: any origin
        self.XAPI_CORS_ORIGINS = [o for o in os.environ.get("XAPI_CORS_ORIGINS", "").split(",") if o]
        # origins allowed to frame a prefecture's public page (?embed=1), e.g. https://www.pref.hiroshima.lg.jp
        self.PUBLIC_EMBED_ORIGINS = _origins(os.environ.get("PUBLIC_EMBED_ORIGINS", ""))
        # how long browsers and proxies may keep a public page, pamphlet or open-data file
        self.PUBLIC_CACHE_SECONDS = _int("PUBLIC_CACHE_SECONDS", 300)
        # reverse proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto are trusted;
        # 0 (direct clients) by default, since a client could otherwise forge its address
        self.TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)
        # argon2id cost; the defaults follow RFC 9106's second recommended option
        self.ARGON2_TIME_COST = _int("ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = _int("ARGON2_MEMORY_COST", 64 * 1024)
        self.API_TITLE = "Recurrent education for physicians API"
        self.API_VERSION = "v1"
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/api/v1"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "docs"
        self.OPENAPI_SWAGGER_UI_URL = "/api/v1/docs/assets/"
        self.JSON_SORT_KEYS = False


class TestConfig(Config):
    """Settings for the test suite: a given database, cheap hashing."""

    TESTING = True

    def __init__(self, database_url: str, storage_dir: str) -> None:
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = _normalise_db_url(database_url)
        self.STORAGE_DIR = storage_dir
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024
        self.SECRET_KEY = "test-secret"
        self.STATS_CACHE_SECONDS = 0  # tests read the counts they have just changed
        # many tests register from the one test-client address; the limit's own tests set it
        self.REGISTER_RATE_LIMIT = 10_000


def _origins(value: str) -> list[str]:
    """Comma-separated origins (scheme://host[:port]); anything else would corrupt a CSP header."""
    origins = [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
    for origin in origins:
        if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?", origin):
            raise ValueError(f"PUBLIC_EMBED_ORIGINS: {origin!r} is not an origin like https://www.pref.example.lg.jp")
    return origins


def _normalise_db_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
