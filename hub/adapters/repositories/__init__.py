"""Repositories of the hub: all of its SQL, one module per aggregate.

Each repository takes the caller's connection and never commits; the unit of work
(`hub.adapters.unit_of_work`) builds them over one transaction. They map rows into the
frozen records of `hub.domain` (dataclasses, or NamedTuples on ingest's hot path), which
services and routes use, and take typed inputs. `sql` holds the helpers they share (dialect
INSERTs, COPY, `= ANY` lists, the feed's visible horizon).
"""
