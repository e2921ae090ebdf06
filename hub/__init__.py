"""The hub: HQ administration, ERP stock, reports, and the receiving end of the sync protocol."""
