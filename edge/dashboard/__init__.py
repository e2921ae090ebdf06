"""The store manager's dashboard: server-rendered pages (Jinja2, htmx for partial refresh)
served by each edge node under `/dashboard` on its API's port, from the node's own SQLite
file, so it works with HQ and the internet gone (docs/manager-guide.md)."""
