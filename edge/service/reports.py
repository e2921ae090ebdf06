"""Read models of the node: its status, the X report, day checks, quarantine, metric figures.

Each takes a unit of work of a read transaction (EdgeTransactions.read), so what it returns
is one consistent snapshot of the node's file; none writes.
"""

from __future__ import annotations

from datetime import date

from edge.adapters.unit_of_work import EdgeUnitOfWork
from edge.domain.reports import DayCheck, DaySummary, MetricsFigures, NodeState, QuarantinedEvent


def node_state(uow: EdgeUnitOfWork) -> NodeState:
    """The outbox, the catalogue's counts (`products`, `prices`), the feed position and how
    many business days matched the hub's ledger: all local, so it answers offline."""
    return NodeState(
        outbox=uow.outbox.stats(),
        catalogue=uow.catalogue.counts(),
        feed_cursor=uow.node.feed_cursor(),
        checked=uow.integrity.summary(),
    )


def x_report(business_day: date, uow: EdgeUnitOfWork) -> DaySummary:
    """This node's totals for one trading day, from its own records (works offline)."""
    return uow.reports.day_summary(business_day)


def mismatched_days(uow: EdgeUnitOfWork, *, limit: int) -> list[DayCheck]:
    """Business days whose totals here differ from the hub's ledger, oldest first."""
    return uow.integrity.mismatches(limit)


def quarantined_events(uow: EdgeUnitOfWork, *, limit: int) -> list[QuarantinedEvent]:
    """This node's events the hub stored but could not apply, oldest first."""
    return uow.outbox.quarantined(limit)


def metrics_figures(uow: EdgeUnitOfWork) -> MetricsFigures:
    """What the metrics endpoint reads at each scrape: the outbox, mismatched days, the
    count of logged record conflicts."""
    return MetricsFigures(
        outbox=uow.outbox.stats(),
        mismatched_days=uow.integrity.summary().mismatched,
        record_conflicts=uow.records.count_conflicts(),
    )
