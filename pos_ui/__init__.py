"""The cashier's terminal (Textual).

Not built yet: it arrives with its own issue. Until then tills drive the edge through its
HTTP API (see docs/api.md), which is also what the replay does.
"""
