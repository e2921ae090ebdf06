"""The store-to-hub sync protocol: message models, pure protocol rules and an HTTP client."""
