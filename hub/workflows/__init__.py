"""The hub's durable workflows, run on Temporal (`hub.workflows.runner` starts the worker)."""
