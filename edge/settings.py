"""Settings of an edge node, from `VECTIS_EDGE_*` environment variables or the command line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from edge.receipts.errors import InvalidPrinterConfig
from edge.receipts.sinks import PrinterConfig, parse_printer
from shared.settings import VectisSettings


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
    clock_mode: Literal["system", "manual"] = Field(
        "system", description="manual: the clock moves only through PUT /v1/clock (replay)"
    )
    manual_clock_start: AwareDatetime | None = None
    sync_interval_s: float = Field(1.0, gt=0)
    push_batch_events: int = Field(256, ge=1, le=2000)
    push_batch_bytes: int = Field(1_000_000, ge=1024)
    feed_page_size: int = Field(1000, ge=1, le=5000)
    snapshot_chunk_size: int = Field(5000, ge=1, le=20_000)
    backoff_base_s: float = Field(0.5, gt=0)
    backoff_cap_s: float = Field(30.0, gt=0)
    hub_timeout_s: float = Field(30.0, gt=0)
    hub_connect_timeout_s: float = Field(3.0, gt=0)
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
