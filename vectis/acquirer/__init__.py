"""The simulated card acquirer, `vectis acquirer-sim`: its own process, HTTP on loopback,
durable in its own SQLite file, with the deterministic declines and the per-day settlement
report docs/payments.md describes. The edge reaches it through
`edge.payments.http_terminal.HttpPaymentTerminal`, as it would reach a real gateway."""
