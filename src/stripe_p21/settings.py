"""Settings for every concern, read from the environment (a `.env` file is honoured, the real
environment wins). Defaults are the embedded mode: SQLite under ./var, no Redis, inline jobs."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_ENV = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class DatabaseSettings(BaseSettings):
    """Where durable state lives."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="STRIPE_P21_")

    database_url: str = Field(
        default="sqlite+aiosqlite:///./var/stripe_p21.db",
        description="SQLAlchemy URL. `postgresql://…` is rewritten to the asyncpg driver.",
    )
    """SQLAlchemy URL; `postgresql://` and `sqlite:///` are rewritten to their async drivers."""
    db_pool_size: int = 10
    """PostgreSQL connection pool size per process."""
    db_pool_timeout: float = 5.0
    """Seconds to wait for a pooled connection before the request fails (webhook answers 503)."""
    db_connect_timeout: float = 3.0
    """Seconds to wait for a new database connection."""
    sqlite_busy_timeout_ms: int = 5000
    """SQLite busy timeout in milliseconds (WAL mode is always on)."""
    migrate_on_start: bool | None = None
    """Run migrations when the server starts. Default: on for SQLite, off for PostgreSQL."""

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        for plain, driver in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgresql+psycopg://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return driver + url[len(plain) :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


class QueueSettings(BaseSettings):
    """How jobs reach workers: arq on Redis, or the in-process runner when no Redis is set."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="STRIPE_P21_")

    redis_url: SecretStr | None = None
    """Redis URL for arq (e.g. redis://127.0.0.1:6379/0). Unset → in-process job runner."""
    queue_name: str = "stripe_p21:queue"
    """arq queue name; separate deployments on one Redis need different names."""
    inline_concurrency: int = 4
    """Concurrent jobs in the in-process runner (embedded mode)."""
    worker_concurrency: int = 8
    """Concurrent jobs per arq worker process."""
    worker_poll_seconds: float = Field(default=0.02, gt=0, le=5)
    """How often an idle arq worker asks Redis for new jobs: the queue-wait floor (arq's own
    default is 0.5 s). Each poll is one cheap Redis command."""
    worker_metrics_port: int | None = None
    """If set, `stripe-p21 worker` serves Prometheus metrics on this port."""
    enqueue_circuit_seconds: float = 5.0
    """After an enqueue failure, skip enqueueing for this long (the sweeper catches up)."""


class JobSettings(BaseSettings):
    """Retry, lease and sweeper policy for `process_event`."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="STRIPE_P21_")

    max_attempts: int = 8
    """Attempts before an event is marked dead."""
    retry_base_seconds: float = 600.0
    """First retry delay ceiling; doubles per attempt (full jitter)."""
    retry_cap_seconds: float = 21600.0
    """Largest retry delay ceiling (6 h): 8 attempts spread over about a day."""
    lease_seconds: float = 60.0
    """How long a worker owns an event; renewed while the handler runs."""
    sweep_interval_seconds: float = 10.0
    """How often the sweeper looks for due retries, expired leases and unenqueued events."""
    sweep_grace_seconds: float = 15.0
    """A received event not picked up within this time is enqueued again by the sweeper."""
    sweep_batch: int = 500
    """Most events the sweeper enqueues per pass."""
    handler_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Extra modules to import for their `@handles` registrations (comma-separated)."""

    @field_validator("handler_modules", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


class WebhookSettings(BaseSettings):
    """Inbound Stripe webhooks."""

    model_config = SettingsConfigDict(**_ENV)

    stripe_webhook_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_WEBHOOK_SECRET")
    )
    """Endpoint signing secret(s), `whsec_…`; several comma-separated during rotation."""
    max_body_bytes: int = Field(
        default=1024 * 1024, validation_alias=AliasChoices("STRIPE_P21_WEBHOOK_MAX_BODY_BYTES")
    )
    """Larger bodies are refused with 413 without being buffered whole."""
    tolerance_seconds: int = Field(
        default=300, validation_alias=AliasChoices("STRIPE_P21_WEBHOOK_TOLERANCE_SECONDS")
    )
    """Signature timestamps older or further in the future than this are refused."""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=AliasChoices("STRIPE_P21_TRUSTED_PROXIES")
    )
    """Proxy addresses/CIDRs whose X-Forwarded-For is believed (comma-separated)."""
    rejection_retention_days: int = Field(
        default=14, validation_alias=AliasChoices("STRIPE_P21_REJECTION_RETENTION_DAYS")
    )
    """Rejected deliveries older than this are pruned."""
    rejection_max_rows: int = Field(
        default=10_000, validation_alias=AliasChoices("STRIPE_P21_REJECTION_MAX_ROWS")
    )
    """At most this many rejected deliveries are kept (oldest pruned first)."""

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def secrets(self) -> list[str]:
        if self.stripe_webhook_secret is None:
            return []
        raw = self.stripe_webhook_secret.get_secret_value()
        return [part.strip() for part in raw.split(",") if part.strip()]


class StripeSettings(BaseSettings):
    """Outbound calls to Stripe (or the bundled Stripe sandbox)."""

    model_config = SettingsConfigDict(**_ENV)

    stripe_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_API_KEY")
    )
    """Secret key, `sk_test_…` or `sk_live_…` (a restricted key is enough)."""
    stripe_api_base: str = Field(
        default="https://api.stripe.com", validation_alias=AliasChoices("STRIPE_API_BASE")
    )
    """API base; point it at the Stripe sandbox (http://127.0.0.1:12111) for the demo."""
    stripe_requests_per_second: float = Field(
        default=20.0,
        gt=0,
        validation_alias=AliasChoices("STRIPE_P21_STRIPE_REQUESTS_PER_SECOND"),
    )
    """Our request rate to Stripe, per process (API and each worker). Stripe allows 25/s in
    test mode and 100/s in live mode per account: divide by the number of processes."""


class P21Settings(BaseSettings):
    """Outbound calls to Prophet 21 (or the bundled P21 sandbox)."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="P21_")

    base_url: str = "http://127.0.0.1:8021"
    """P21 base host, e.g. https://p21.example.com."""
    username: str | None = None
    """API user name (token v2 or legacy token call)."""
    password: SecretStr | None = None
    """API user password."""
    client_secret: SecretStr | None = None
    """Consumer key for the client-credentials grant (alternative to user/password)."""
    company_id: str = "ACME"
    """P21 company id used in entity keys and GL postings."""
    max_concurrency: int = 4
    """Concurrent requests per P21 host (P21's session pool dislikes bursts)."""
    connect_timeout: float = 5.0
    """Seconds to establish a connection."""
    read_timeout: float = 30.0
    """Seconds to wait for a response."""


class LLMSettings(BaseSettings):
    """OpenAI-compatible endpoint for summaries and re-ranking (off when no key is set)."""

    model_config = SettingsConfigDict(**_ENV)

    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY")
    )
    """API key; unset → deterministic summaries without an LLM."""
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL")
    )
    """Base URL of any OpenAI-compatible endpoint."""
    model: str = Field(default="gpt-4o-mini", validation_alias=AliasChoices("STRIPE_P21_LLM_MODEL"))
    """Chat model name the endpoint serves."""
    timeout_seconds: float = Field(
        default=10.0, validation_alias=AliasChoices("STRIPE_P21_LLM_TIMEOUT_SECONDS")
    )
    """Whole-request timeout; on expiry the caller falls back to its deterministic answer."""
    max_retries: int = Field(default=1, validation_alias=AliasChoices("STRIPE_P21_LLM_MAX_RETRIES"))
    """Retries the openai client makes on connection errors, 429 and 5xx."""
    rerank_mappings: bool = Field(
        default=False, validation_alias=AliasChoices("STRIPE_P21_LLM_RERANK_MAPPINGS")
    )
    """Re-rank field-mapping suggestions with the LLM by default (a request can still ask)."""

    @property
    def configured(self) -> bool:
        """An endpoint is usable: a key is set (a local endpoint may need only a base URL)."""
        return self.openai_api_key is not None or self.openai_base_url is not None


class ServerSettings(BaseSettings):
    """The HTTP server, logging and the JSON API."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="STRIPE_P21_")

    host: str = "127.0.0.1"
    """Address `stripe-p21 serve` binds."""
    port: int = 8000
    """Port `stripe-p21 serve` binds."""
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    """Lowest level written to the JSON log on stderr."""
    log_format: Literal["json", "console"] = "json"
    """`json` for machines, `console` for people."""
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach this service (used in printed links)."""


class SyncSettings(BaseSettings):
    """How the sync flows map and write back."""

    model_config = SettingsConfigDict(**_ENV, env_prefix="STRIPE_P21_")

    mapping_file: str | None = None
    """The mapping configuration (default `config/mapping.yaml`, else the packaged copy)."""
    stripe_writeback: bool = True
    """Write `p21_order_no` / `p21_customer_id` back to Stripe metadata."""


class Settings:
    """All settings, one attribute per concern."""

    def __init__(self, env_file: str | None = ".env") -> None:
        """Read every group from the environment; `env_file=None` ignores any `.env` file."""
        self.db = DatabaseSettings(_env_file=env_file)
        self.queue = QueueSettings(_env_file=env_file)
        self.jobs = JobSettings(_env_file=env_file)
        self.sync = SyncSettings(_env_file=env_file)
        self.webhook = WebhookSettings(_env_file=env_file)
        self.stripe = StripeSettings(_env_file=env_file)
        self.p21 = P21Settings(_env_file=env_file)
        self.llm = LLMSettings(_env_file=env_file)
        self.server = ServerSettings(_env_file=env_file)

    def secret_values(self) -> list[str]:
        """Every configured secret, so logs and error bodies can be scrubbed of them."""
        found: list[str] = list(self.webhook.secrets())
        candidates = [
            self.queue.redis_url,
            self.stripe.stripe_api_key,
            self.p21.password,
            self.p21.client_secret,
            self.llm.openai_api_key,
        ]
        for secret in candidates:
            if secret is not None and secret.get_secret_value():
                found.append(secret.get_secret_value())
        if self.webhook.stripe_webhook_secret is not None:
            found.append(self.webhook.stripe_webhook_secret.get_secret_value())
        return [value for value in found if len(value) >= 6]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own `Settings()` after setting the environment."""
    return Settings()
