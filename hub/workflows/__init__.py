"""The hub's durable workflows, run on Temporal: one package per workflow (`workflows`,
`activities`), the client (`client`) and the worker with its sweeper (`worker`)."""
