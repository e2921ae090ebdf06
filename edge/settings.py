"""Settings of an edge node, from `VECTIS_EDGE_*` environment variables or the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from edge.domain.barcodes import (
    MAX_QUANTITY_PREFIX,
    InvalidBarcodeTemplate,
    MeasureKind,
    ScanSettings,
    VariableMeasureTemplate,
    scan_settings,
)
from edge.receipts.errors import InvalidPrinterConfig
from edge.receipts.sinks import PrinterConfig, parse_printer
from edge.scale.client import ScaleConfig
from edge.scale.errors import InvalidScaleConfig
from shared.settings import VectisSettings
from sync.messages import MAX_PUSH_EVENTS


class ScanTemplate(BaseModel):
    """A store's variable-measure label layout (edge.domain.barcodes.VariableMeasureTemplate):
    `prefix` (2x or 02), item reference digits, price (minor units) or weight (grams) digits,
    an optional price/weight verifier digit; with the check digit, 13 digits in all."""

    prefix: str = Field(pattern=r"^0?2[0-9]*$", max_length=12)
    item_digits: int = Field(ge=1, le=11)
    kind: Literal["price", "weight"]
    value_digits: int = Field(ge=1, le=6)
    verifier_digit: bool = False

    def template(self) -> VariableMeasureTemplate:
        """Raises InvalidBarcodeTemplate when the lengths do not add up to 13."""
        return VariableMeasureTemplate(
            self.prefix,
            self.item_digits,
            MeasureKind(self.kind),
            self.value_digits,
            self.verifier_digit,
        )


class EdgeSettings(VectisSettings):
    """One store's edge node. Durations are in seconds, sizes in bytes."""

    model_config = SettingsConfigDict(env_prefix="VECTIS_EDGE_")

    database_path: Path = Field(Path("edge.db"), description="The store's SQLite file")
    host: str = "127.0.0.1"
    port: int = Field(8701, ge=0, le=65535)
    max_request_bytes: int = Field(
        1_048_576, ge=1024, description="Larger request bodies to the till API get 413"
    )
    hub_url: str = "http://127.0.0.1:8700"
    enrolment_token: SecretStr | None = Field(
        None,
        description="One-time token from HQ, used once if the node is not enrolled yet (from "
        "the environment, VECTIS_EDGE_ENROLMENT_TOKEN: never on a command line, where `ps` "
        "shows it to every local user)",
    )
    enrolment_token_file: Path | None = Field(
        None,
        description="A file holding the one-time token (whitespace around it ignored); read "
        "only while the node is not enrolled. Takes precedence over enrolment_token",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the till API answers to besides localhost, 127.0.0.1, ::1 "
        "and the bound host (a request naming another Host is refused: DNS rebinding)",
    )
    node_name: str = Field("edge", min_length=1, max_length=64)
    till_session_hours: int = Field(
        16, ge=1, le=168, description="A till session ends this many hours after sign-in"
    )
    dashboard_idle_minutes: int = Field(
        15, ge=1, le=480, description="A dashboard session ends after this many idle minutes"
    )
    dashboard_session_hours: int = Field(
        12, ge=1, le=24, description="A dashboard session ends this many hours after sign-in"
    )
    dashboard_secure_cookie: bool = Field(
        False, description="Mark the dashboard's cookies Secure (when served behind TLS)"
    )
    clock_mode: Literal["system", "manual"] = Field(
        "system", description="manual: the clock moves only through PUT /v1/clock (replay)"
    )
    manual_clock_start: AwareDatetime | None = None
    sync_interval_s: float = Field(1.0, gt=0)
    handshake_interval_s: float = Field(
        30.0,
        gt=0,
        description="With nothing to upload, a scheduled cycle still pushes (empty: the "
        "handshake, at which both sides measure the clock skew) once the last answered push "
        "is this many seconds old; a cycle asked for (sync now) always does",
    )
    push_batch_events: int = Field(
        MAX_PUSH_EVENTS,
        ge=1,
        le=MAX_PUSH_EVENTS,
        description="Events in one push at most (the protocol's most): a backlog drains in "
        "fewer, larger transactions at the hub; see docs/operations.md",
    )
    push_batch_bytes: int = Field(
        2_000_000, ge=1024, description="Bytes of one push's events at most (the first always goes)"
    )
    push_pipeline: int = Field(
        4,
        ge=1,
        le=32,
        description="Pushes in flight at once while the outbox drains (1: one at a time); "
        "the hub still applies them in seq order",
    )
    feed_page_size: int = Field(1000, ge=1, le=5000)
    snapshot_chunk_size: int = Field(5000, ge=1, le=20_000)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_cap_s: float = Field(30.0, gt=0)
    hub_timeout_s: float = Field(30.0, gt=0)
    stored_value_timeout_s: float = Field(
        2.0,
        gt=0,
        le=30,
        description="How long a till waits for the hub's gift-card or store-credit balance "
        "before it uses the offline allowance",
    )
    hub_connect_timeout_s: float = Field(3.0, gt=0)
    acquirer_url: str | None = Field(
        None,
        description="The card acquirer's API (`vectis acquirer-sim`, http://127.0.0.1:PORT); "
        "None: no card terminal, the till takes no cards",
    )
    acquirer_api_key: SecretStr | None = Field(
        None, description="The acquirer's API key (VECTIS_EDGE_ACQUIRER_API_KEY)"
    )
    acquirer_timeout_s: float = Field(
        10.0, gt=0, le=120, description="How long a card call waits for the acquirer's answer"
    )
    acquirer_connect_timeout_s: float = Field(3.0, gt=0, le=60)
    printers: dict[str, str] = Field(
        default_factory=dict,
        description="Each till's receipt printer, by till id (VECTIS_EDGE_PRINTERS, a JSON "
        'object: {"T1": "network:10.0.0.9:9100", "T2": "file:/dev/usb/lp0", "T3": '
        '"usb:04b8:0e15?columns=32"}; edge.receipts.sinks.parse_printer). A till without '
        "one prints nothing; its receipts are still read through the API",
    )

    @field_validator("printers")
    @classmethod
    def _printers_name_printers(cls, printers: dict[str, str]) -> dict[str, str]:
        for till_id, spec in printers.items():
            try:
                parse_printer(spec)
            except InvalidPrinterConfig as error:
                raise ValueError(f"the printer of till {till_id}: {error.reason}") from None
        return printers

    def printer_for(self, till_id: str) -> PrinterConfig | None:
        """The receipt printer of `till_id`, None when the till has none."""
        spec = self.printers.get(till_id)
        return parse_printer(spec) if spec is not None else None

    scan_templates: list[ScanTemplate] | None = Field(
        None,
        max_length=20,
        description="The store's variable-measure label layouts (JSON list); none: the "
        "defaults 20 (price, verifier), 21 (weight), 23 (price), 28 (price, verifier)",
    )
    scan_quantity_max: int = Field(
        MAX_QUANTITY_PREFIX, ge=1, le=1_000_000, description="Highest N of a scan's `N*` prefix"
    )
    numeric_sku_lengths: list[Literal[8, 12, 13, 14]] = Field(
        default_factory=list,
        description="GTIN lengths at which the catalogue has numeric SKUs: there a scan with "
        "a wrong check digit is a SKU, not `bad_check_digit`",
    )
    scales: dict[str, str] = Field(
        default_factory=dict,
        description='Each till\'s MT-SICS scale as "host:port" by till id (JSON object: '
        '{"T1": "127.0.0.1:4305"})',
    )
    scale_timeout_s: float = Field(
        2.0, gt=0, le=60, description="How long to wait for a scale to connect and answer"
    )

    @field_validator("scan_templates")
    @classmethod
    def _templates_hold_together(
        cls, value: list[ScanTemplate] | None
    ) -> list[ScanTemplate] | None:
        if value is not None:
            try:
                ScanSettings(currency="GBP", templates=tuple(item.template() for item in value))
            except InvalidBarcodeTemplate as error:
                raise ValueError(str(error)) from None
        return value

    @field_validator("scales")
    @classmethod
    def _scales_have_addresses(cls, value: dict[str, str]) -> dict[str, str]:
        for till_id, address in value.items():
            try:
                _scale_config(address, 2.0)
            except (InvalidScaleConfig, ValueError) as error:
                raise ValueError(f"scale of till {till_id}: {error}") from None
        return value

    def scan_settings(self, currency: str) -> ScanSettings:
        """The store's scan rules in `currency` (edge.domain.barcodes.ScanSettings)."""
        templates = (
            None
            if self.scan_templates is None
            else [item.template() for item in self.scan_templates]
        )
        return scan_settings(currency, templates, self.scan_quantity_max, self.numeric_sku_lengths)

    def scale_config(self, till_id: str) -> ScaleConfig | None:
        """Where the scale of `till_id` listens; None when the till has none."""
        address = self.scales.get(till_id)
        return None if address is None else _scale_config(address, self.scale_timeout_s)

    def clock_start(self) -> datetime | None:
        return self.manual_clock_start

    def read_enrolment_token(self) -> str | None:
        """The enrolment token: the file's content, else the setting; None if neither is set.

        Raises OSError if the file cannot be read.
        """
        if self.enrolment_token_file is not None:
            return self.enrolment_token_file.read_text(encoding="utf-8").strip() or None
        return self.enrolment_token.get_secret_value() if self.enrolment_token else None

    def host_names(self) -> frozenset[str]:
        """The names a request's Host header may carry (without port, in lower case)."""
        names = {"localhost", "127.0.0.1", "::1", *self.allowed_hosts}
        if self.host not in ("0.0.0.0", "::", ""):
            names.add(self.host)
        return frozenset(name.lower().strip("[]") for name in names)


def _scale_config(address: str, timeout_s: float) -> ScaleConfig:
    """ "host:port" -> ScaleConfig. Raises ValueError, InvalidScaleConfig."""
    host, separator, port = address.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"{address!r} is not host:port")
    return ScaleConfig(host=host.strip("[]"), port=int(port), timeout_s=timeout_s)
