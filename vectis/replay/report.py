"""Printing a replay's reconciliation for a person: tables, drains, refusals, skipped lines."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console

from vectis.replay.reconcile import format_money, render_store_table, render_table
from vectis.replay.result import ReplayResult


def print_result(result: ReplayResult, console: Console) -> None:
    console.print(render_table(result.expected, result.actual, result.mismatches))
    console.print(render_store_table(result.expected, result.actual, result.mismatches))
    for drain in result.drains:
        console.print(
            f"{drain.store_id} came back online with {drain.events} events queued; "
            f"uploaded in {drain.seconds:.2f}s"
        )
    if result.chaos:
        faults = sum(sum(counts.values()) for counts in result.chaos["faults"].values())
        card_faults = sum(
            sum(counts.values()) for counts in result.chaos.get("card_faults", {}).values()
        )
        kills = sum(result.chaos["kills"].values())
        console.print(
            f"chaos (seed {result.chaos['seed']}): {faults} network faults injected "
            f"(and {card_faults} on the links to the acquirer), "
            f"{kills} edge processes killed with SIGKILL and restarted"
        )
    _print_tenders(result, console)
    for line in result.skipped:
        console.print(
            f"[yellow]not sold[/yellow] {line.invoice_no} {line.stock_code}: {line.reason}"
        )
    for refusal in result.refused[:20]:
        console.print(
            f"[red]refused by the till[/red] {refusal['invoice']} {refusal['stock_code']}: {refusal['reason']}"
        )
    if len(result.refused) > 20:
        console.print(f"[red]... and {len(result.refused) - 20} more refused lines[/red]")
    if result.z_reports:
        variances = [line for line in result.z_reports if line.variance]
        console.print(
            f"{len(result.z_reports)} Z reports at the hub, "
            f"{sum(line.ledger == 'confirmed' for line in result.z_reports)} confirmed by its "
            f"ledger; {len(variances)} with a variance (the replay's counts)"
        )
    for mismatch in (m for m in result.mismatches if m.scope == "z_report"):
        console.print(
            f"[red]Z report[/red] {mismatch.key} {mismatch.field}: expected {mismatch.dataset}, "
            f"the hub has {mismatch.hub}"
        )
    console.print(
        f"{result.lines} lines in {result.seconds:.1f}s end to end into the hub: "
        f"{result.lines_per_s:.0f} lines/s"
    )
    if result.ok:
        console.print(
            "[green]RECONCILED[/green]: the hub's books match the file to the penny, per day and "
            "per store, every Z report matches the hub's ledger, and the tenders add up to the "
            "revenue"
            + (
                ", the acquirer settled exactly the hub's card money."
                if result.offline_cards
                else "."
            )
        )
    else:
        console.print(
            f"[red]MISMATCH[/red]: {len(result.mismatches)} differences between the hub and the file."
        )


def _print_tenders(result: ReplayResult, console: Console) -> None:
    """What the run was paid with, and what became of the cards taken offline."""
    by_kind: dict[str, Decimal] = {}
    for amounts in result.actual.tenders_by_day.values():
        for kind, amount in amounts.items():
            by_kind[kind] = by_kind.get(kind, Decimal("0.00")) + amount
    if by_kind:
        source = "the hub's report" if result.tenders_source == "hub" else "the tills"
        console.print(
            f"paid with ({source}): "
            + ", ".join(f"{kind} {format_money(by_kind[kind])}" for kind in sorted(by_kind))
        )
    cards = result.offline_cards
    if cards:
        console.print(
            f"cards taken offline: {cards['taken']} ({cards['amount']}), "
            f"{cards['forwarded']} forwarded, {cards['declined']} declined when forwarded, "
            f"{cards['expired']} expired; {cards['over_cap_paid_cash']} above the offline "
            "caps paid in cash"
        )
    for mismatch in (m for m in result.mismatches if m.scope == "settlement"):
        console.print(
            f"[red]card settlement[/red] {mismatch.key} {mismatch.field}: the acquirer has "
            f"{mismatch.dataset}, the hub {mismatch.hub}"
        )
