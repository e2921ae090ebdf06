"""Printing a replay's reconciliation for a person: tables, drains, refusals, skipped lines."""

from __future__ import annotations

from rich.console import Console

from vectis.replay.reconcile import render_store_table, render_table
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
        kills = sum(result.chaos["kills"].values())
        console.print(
            f"chaos (seed {result.chaos['seed']}): {faults} network faults injected, "
            f"{kills} edge processes killed with SIGKILL and restarted"
        )
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
            "per store, and every Z report matches the hub's ledger."
        )
    else:
        console.print(
            f"[red]MISMATCH[/red]: {len(result.mismatches)} differences between the hub and the file."
        )
