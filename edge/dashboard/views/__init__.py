"""The dashboard's views: every module here with a module-level `router` is served under
`/dashboard` (edge.dashboard.app discovers them)."""
