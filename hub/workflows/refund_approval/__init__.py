"""Refund approval on Temporal: `workflows` (sandboxed, deterministic) and `activities` (the
hub's database). Kept empty so that loading the workflow into the sandbox loads nothing else."""
