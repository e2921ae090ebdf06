"""Settings of the hub, from `VECTIS_HUB_*` environment variables or the command line."""

from __future__ import annotations

from datetime import timedelta

from limits import parse_many
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from hub.domain.stores import CredentialPolicy
from shared.settings import VectisSettings


class HubSettings(VectisSettings):
    """The central hub. Sizes in bytes, durations in seconds."""

    model_config = SettingsConfigDict(env_prefix="VECTIS_HUB_")

    database_url: str = Field(
        "sqlite+aiosqlite:///hub.db",
        description="postgresql+asyncpg://... in production; SQLite is the embedded default",
    )
    host: str = "127.0.0.1"
    port: int = Field(8700, ge=0, le=65535)
    admin_token: SecretStr | None = Field(
        None,
        min_length=24,
        description="Bearer secret for HQ administration and issuing API keys (at least 24 "
        "characters: make it 32 random bytes); if unset, only existing hq/erp API keys work "
        "(none exist on a new hub)",
    )
    max_request_bytes: int = Field(16_000_000, ge=1024, description="Larger bodies get 413")
    auth_failures_per_source: str = Field(
        "20/minute;600/hour",
        description="Failed authentications one client address may make in each window (the "
        "`limits` notation, windows separated by ;) before it gets 429 for the rest of it",
    )
    auth_failures_per_key: str = Field(
        "10/minute;100/hour",
        description="Failed authentications with one secret (by its fingerprint) in each "
        "window before it gets 429",
    )
    pool_size: int = Field(10, ge=1, le=100)
    enrolment_token_ttl_s: int = Field(7 * 24 * 3600, ge=60)
    node_credential_max_age_s: int | None = Field(
        90 * 24 * 3600,
        ge=60,
        description="A node credential older than this is refused for sync (401 "
        "credential_expired); nodes rotate theirs after two thirds of it. None: never expires",
    )
    node_credential_grace_s: int = Field(
        30 * 24 * 3600,
        ge=0,
        description="After the maximum age, how long an expired credential may still rotate "
        "itself (a store offline that long is not locked out)",
    )
    migrate_on_start: bool = True
    temporal_address: str | None = Field(
        None,
        description="host:port of the Temporal server that runs refund and B2B approvals; unset: "
        "requests are recorded and wait, and decisions answer 503",
    )
    temporal_namespace: str = "default"
    temporal_task_queue: str = "vectis-hub"
    run_workflow_worker: bool = Field(
        True,
        description="Run the workflow worker and sweeper in the API's process (with "
        "temporal_address); false when `vectis hub worker` processes run them",
    )
    refund_decide_within_s: int = Field(
        72 * 3600, ge=1, description="A refund request not decided in this time expires"
    )
    refund_valid_for_s: int = Field(
        7 * 24 * 3600, ge=1, description="An approved refund not made in this time lapses"
    )
    b2b_decide_within_s: int = Field(
        72 * 3600, ge=1, description="A B2B cart or payment HQ has not decided in this time expires"
    )
    b2b_valid_for_s: int = Field(
        7 * 24 * 3600,
        ge=1,
        description="A B2B order whose payment is not composed, or that is not handed over, "
        "this long after the step before lapses",
    )
    acquirer_url: str | None = Field(
        None,
        description="Base URL of the card acquirer's API (e.g. the simulator, `vectis "
        "acquirer-sim`); unset: no card settlement reconciliation (its route answers 503)",
    )
    acquirer_api_key: SecretStr | None = Field(
        None, description="Bearer key for the acquirer's API"
    )
    acquirer_timeout_s: float = Field(10.0, gt=0, le=120)
    push_order_wait_s: float = Field(
        2.0,
        ge=0,
        le=60,
        description="How long a push whose first seq follows a gap waits for the node's "
        "earlier push (an edge keeps several in flight) before its events are deferred",
    )
    settlement_reconcile_after_s: int = Field(
        3600,
        ge=0,
        le=86_399,
        description="With an acquirer: each UTC day, this long after midnight, the hub "
        "reconciles the day before's card settlement (run by the process that runs the "
        "workflow worker and sweeper)",
    )

    @field_validator("auth_failures_per_source", "auth_failures_per_key")
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a limit such as 10/minute;100/hour: {error}") from None
        return value

    def credential_policy(self) -> CredentialPolicy:
        """How long node credentials live, from node_credential_max_age_s and _grace_s."""
        max_age = self.node_credential_max_age_s
        return CredentialPolicy(
            timedelta(seconds=max_age) if max_age is not None else None,
            timedelta(seconds=self.node_credential_grace_s),
        )
