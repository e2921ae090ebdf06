"""The published JSON Schemas of the sync messages match the code."""

from pathlib import Path

from sync.schemas import MESSAGES, stale

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"


def test_the_published_schemas_are_up_to_date() -> None:
    assert stale(SCHEMAS) == [], "run `vectis schemas` and commit docs/schemas"


def test_every_event_kind_the_hub_understands_is_published() -> None:
    from sync.messages import SCHEMA_VERSIONS

    for kind, version in SCHEMA_VERSIONS.items():
        assert f"event.{kind}.v{version}" in MESSAGES


def test_every_feed_entity_is_published() -> None:
    from sync.messages import FEED_ENTITIES

    for entity in FEED_ENTITIES:
        assert f"feed.{entity}.v1" in MESSAGES
