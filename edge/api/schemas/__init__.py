"""Request and response bodies of the edge API, one module per router. Money is decimal strings."""
