"""The edge's local HTTP API (FastAPI) for tills, the dashboard and tools: thin over edge.service."""
