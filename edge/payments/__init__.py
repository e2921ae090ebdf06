"""The till's ports to what takes money besides the drawer: a payment terminal and its
acquirer (`port.PaymentTerminal`), and the hub's gift-card and store-credit ledgers
(`stored_value.StoredValueLedger`). Adapters: `http_terminal` (the simulated acquirer's API,
`vectis acquirer-sim`), `hub_stored_value` (the hub's sync API)."""
