"""Every setting with a safe default. Override with environment variables:
``REGISTRATION_<NAME>`` for any setting, or ``DATABASE_URL``, ``SECRET_KEY``, ``MAIL_*``."""

# SQLite under instance/ unless DATABASE_URL says otherwise (set in create_app).
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
# A pooled connection unused for longer than this is checked (a ping) before a request gets it;
# one that died (PostgreSQL restarted) is replaced, so the next request does not fail. One used
# within this time is not: a restart takes longer. None: never checked.
DATABASE_PING_AFTER_IDLE_SECONDS: float | None = 0.1

# A development key is generated into instance/secret_key on first run (see create_app).
SECRET_KEY = None
# Seals the manage and badge tokens stored in the database (AES-256-GCM under a key derived
# with HKDF; SECRET_KEY when unset). Tokens sealed before a rotation of TOKEN_KEY (or of
# SECRET_KEY while TOKEN_KEY is unset) open only while the old key is listed in
# TOKEN_KEY_PREVIOUS; new tokens are always sealed with the current key.
TOKEN_KEY = None
TOKEN_KEY_PREVIOUS: list[str] = []

# Staff passwords are hashed with Argon2; True picks a cheap profile (the test suite only).
PASSWORD_HASH_FAST = False

# Sessions and cookies.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_DURATION = 0
# Strict-Transport-Security max-age, sent only on requests that came over HTTPS (behind a
# proxy: set PROXY_FIX_HOPS so that its X-Forwarded-Proto counts). 0 sends none.
HSTS_SECONDS = 365 * 24 * 3600
WTF_CSRF_TIME_LIMIT = None

# Languages of the meeting; the first is the default.
LANGUAGES = ["en", "fr", "es"]
BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"

# Uploads.
MAX_CONTENT_LENGTH = 12 * 1024 * 1024
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_SIZE = (600, 800)  # width, height of the stored badge portrait
# Nomination letters are read in a child process that the kernel stops beyond these limits.
LETTER_MAX_PAGES = 50
LETTER_CPU_SECONDS = 2
LETTER_MEMORY_MB = 512
LETTER_TIMEOUT_SECONDS = 10  # wall clock, e.g. a child waiting on a loaded machine
# Uploads (photos of abandoned form posts, letters never listed) referenced by no row are
# removed once they are this old.
ORPHAN_UPLOAD_HOURS = 24

# Files (photos, letters, badge pages, job results): file:///folder (the instance folder unless
# set) or s3://bucket/prefix for S3-compatible object storage shared by every host and worker.
STORAGE_URL = None
STORAGE_TIMEOUT = 10  # seconds to connect to or hear from the object store
S3_ENDPOINT_URL = None  # e.g. http://minio:9000; None for AWS S3
S3_REGION = None
S3_ACCESS_KEY_ID = None  # None: boto3 looks for AWS_* variables or an instance role
S3_SECRET_ACCESS_KEY = None
S3_ADDRESSING_STYLE = "auto"  # "path" for MinIO without wildcard DNS

# Mail. With no MAIL_SERVER, the worker delivers into the local mailbox shown at /manage/mail.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "registration@localhost"
MAIL_TIMEOUT = 10  # seconds for one SMTP conversation
MAIL_MAX_ATTEMPTS = 8
MAIL_BACKOFF_SECONDS = 30  # first retry delay; doubles each attempt
MAIL_LEASE_SECONDS = 300  # a batch claimed by a worker that died is sent by another after this

# Jobs (`flask worker`): long work claimed from the job table.
JOB_LEASE_SECONDS = 60  # a job whose worker died is taken over by another after this
JOB_BACKOFF_SECONDS = 10  # first retry delay of a failed job; doubles each attempt
JOB_RESULT_HOURS = 24  # finished jobs and their files are deleted after this
JOB_MAX_ACTIVE_PER_STAFF = 3  # unfinished jobs one staff member may have at once
JOB_MAX_ITEMS = 20_000  # badges, rows or recipients in one job
BADGE_CHUNK_SIZE = 50  # badges per part of a batch; the parts are rendered by every worker
BADGE_PRERENDER_SECONDS = 5  # at most this long per pre-rendering round (every 15 s)

# Public address of every absolute link (emails, calendars, QR codes); never the Host header.
SERVER_NAME = None
PUBLIC_BASE_URL = "http://127.0.0.1:5000"
# Host names accepted in requests; others get 400. None: PUBLIC_BASE_URL's host (plus the
# loopback names when that is 127.0.0.1 or localhost). [] accepts any Host (not in production).
TRUSTED_HOSTS = None
# Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (ProxyFix).
# 0: none, the connecting address is the client. 1: one proxy (nginx, a load balancer), etc.
PROXY_FIX_HOPS = 0

# Rate limits (Flask-Limiter). Use redis://host:6379/0 in production so that every worker and
# host shares one budget; if Redis is unreachable, limits fall back to per-process memory (a
# warning is logged) instead of failing the request.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_KEY_PREFIX = "registration"
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
RATELIMIT_SWALLOW_ERRORS = True
RATELIMIT_HEADERS_ENABLED = True
RATELIMIT_LOST_LINK = "5 per 15 minutes"  # per source address
# "Lost your link?" answers after this many seconds whether the address is registered or not
# (longer than the work for a registered one takes), so its timing reveals nothing.
LOST_LINK_ANSWER_SECONDS = 0.5
RATELIMIT_LOGIN = "5 per 15 minutes"  # failed sign-ins per account and source address
RATELIMIT_LOGIN_ADDRESS = "10 per 15 minutes"  # failed sign-ins per source address, any account
RATELIMIT_PUBLIC_POST = "10 per minute; 60 per hour"  # public forms, uploads, emails; per address
RATELIMIT_PER_EMAIL = "10 per hour"  # emails the public can trigger, per recipient address
# Failed sign-ins on one account (from any address) before each attempt waits 1, 2, 4 … seconds,
# at most LOGIN_DELAY_MAX_SECONDS: guessing slows down, the real user is never locked out.
LOGIN_FREE_FAILURES = 5
LOGIN_DELAY_MAX_SECONDS = 60

# Staff accounts.
PASSWORD_MIN_LENGTH = 12
PASSWORD_MIN_SCORE = 3  # zxcvbn score 0-4; common and guessable passwords score lower
TWO_FACTOR_REQUIRED_ROLES = ["admin"]  # other roles may turn it on in their account page
TWO_FACTOR_ISSUER = "Registration"
STAFF_SESSION_IDLE_MINUTES = 30
STAFF_SESSION_MAX_HOURS = 12
PASSWORD_RESET_HOURS = 2
STAFF_INVITATION_DAYS = 7
