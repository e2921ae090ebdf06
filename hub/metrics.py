"""Prometheus metrics of the hub, in a registry of its own (one per app)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class HubMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_accepted = Counter(
            "vectis_hub_events_accepted", "Events stored for the first time", registry=self.registry
        )
        self.events_duplicate = Counter(
            "vectis_hub_events_duplicate",
            "Events received again and skipped",
            registry=self.registry,
        )
        self.events_altered = Counter(
            "vectis_hub_events_altered",
            "Events re-sent under a seq and event id the hub holds, with other content "
            "(skipped as duplicates, flagged as altered_resend exceptions)",
            registry=self.registry,
        )
        self.events_quarantined = Counter(
            "vectis_hub_events_quarantined", "Events stored but not applied", registry=self.registry
        )
        self.push_seconds = Histogram(
            "vectis_hub_push_seconds", "Duration of one ingest transaction", registry=self.registry
        )
        self.feed_seconds = Histogram(
            "vectis_hub_feed_seconds", "Duration of one feed page read", registry=self.registry
        )
        self.quarantine_size = Gauge(
            "vectis_hub_quarantine_events",
            "Events stored but not applied, waiting for a fix and a retry",
            registry=self.registry,
        )
        self.open_exceptions = Gauge(
            "vectis_hub_open_sale_exceptions",
            "Recorded sales with something odd about them, not yet resolved",
            registry=self.registry,
        )
        self.integrity_mismatches = Counter(
            "vectis_hub_integrity_mismatches",
            "Days whose totals at a node did not match the hub's ledger when compared",
            registry=self.registry,
        )
        self.open_integrity_alerts = Gauge(
            "vectis_hub_open_integrity_alerts",
            "Integrity alerts not yet resolved",
            registry=self.registry,
        )
        self.rejected_requests = Counter(
            "vectis_hub_rejected_requests",
            "Requests refused, by error code",
            ["error"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "vectis_hub_auth_failures",
            "Failed authentications, by reason (missing_secret, unknown_secret, revoked, "
            "wrong_kind; over_limit_source or over_limit_key when refused by the limiter), and "
            "whether the limiter refused them before their secret was checked",
            ["reason", "limited"],
            registry=self.registry,
        )
        self.audit_write_failures = Counter(
            "vectis_hub_audit_write_failures",
            "HQ changes whose audit entry could not be written (the change itself stands)",
            registry=self.registry,
        )
        self.record_conflicts = Gauge(
            "vectis_hub_record_conflicts",
            "Values of shared records (customers, store settings) that lost to a concurrent edit",
            registry=self.registry,
        )
        self.pending_refund_requests = Gauge(
            "vectis_hub_pending_refund_requests",
            "Refund requests waiting for HQ's decision",
            registry=self.registry,
        )
        self.b2b_orders_awaiting_hq = Gauge(
            "vectis_hub_b2b_orders_awaiting_hq",
            "B2B orders whose cart or payment awaits HQ's decision",
            registry=self.registry,
        )
        self.max_clock_skew_ms = Gauge(
            "vectis_hub_max_node_clock_skew_milliseconds",
            "Largest clock skew, either way, between the hub and a live node at its last push",
            registry=self.registry,
        )
