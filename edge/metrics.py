"""Prometheus metrics of an edge node, in a registry of its own (one per runtime)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class EdgeMetrics:
    """The edge's instruments; gauges about the outbox are refreshed at each scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.outbox_pending = Gauge(
            "vectis_edge_outbox_pending_events",
            "Outbox events not yet acknowledged by the hub",
            registry=self.registry,
        )
        self.outbox_oldest_age = Gauge(
            "vectis_edge_outbox_oldest_pending_age_seconds",
            "Age of the oldest unacknowledged outbox event, by the node's clock",
            registry=self.registry,
        )
        self.quarantined = Gauge(
            "vectis_edge_quarantined_events",
            "Events the hub stored but could not apply",
            registry=self.registry,
        )
        self.mismatched_days = Gauge(
            "vectis_edge_mismatched_days",
            "Business days whose totals here disagree with the hub's ledger",
            registry=self.registry,
        )
        self.push_seconds = Histogram(
            "vectis_edge_push_seconds",
            "Duration of one outbox batch upload",
            registry=self.registry,
        )
        self.pull_seconds = Histogram(
            "vectis_edge_pull_seconds", "Duration of one feed page download", registry=self.registry
        )
        self.events_pushed = Counter(
            "vectis_edge_events_pushed", "Outbox events sent to the hub", registry=self.registry
        )
        self.sync_failures = Counter(
            "vectis_edge_sync_failures",
            "Failed sync cycles by error type",
            ["error"],
            registry=self.registry,
        )
        self.clock_skew_ms = Gauge(
            "vectis_edge_clock_skew_milliseconds",
            "Hub clock minus this node's clock, measured at the last push",
            registry=self.registry,
        )
        self.record_conflicts = Gauge(
            "vectis_edge_record_conflicts",
            "Values of shared records (customers, store settings) that lost to a concurrent edit",
            registry=self.registry,
        )
