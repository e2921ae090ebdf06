"""How long a node credential lives: valid, then a grace in which it may only rotate, then
expired; and the node rotates it after two thirds of its life."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from edge.api.hosts import host_name
from edge.domain.node import rotation_due_at
from hub.domain.stores import CredentialPolicy

ISSUED = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = CredentialPolicy(timedelta(days=90), timedelta(days=30))


@pytest.mark.parametrize(
    ("age", "state"),
    [
        (timedelta(0), "valid"),
        (timedelta(days=90) - timedelta(seconds=1), "valid"),
        (timedelta(days=90), "grace"),
        (timedelta(days=120) - timedelta(seconds=1), "grace"),
        (timedelta(days=120), "expired"),
    ],
)
def test_a_credential_is_valid_then_in_grace_then_expired(age: timedelta, state: str) -> None:
    assert POLICY.age(ISSUED, ISSUED + age) == state


def test_without_a_maximum_age_a_credential_never_expires() -> None:
    forever = CredentialPolicy(None)
    assert forever.age(ISSUED, ISSUED + timedelta(days=36500)) == "valid"
    assert forever.expires_at(ISSUED) is None
    assert rotation_due_at(ISSUED, None) is None


def test_the_node_rotates_after_two_thirds_of_the_maximum_age() -> None:
    assert rotation_due_at(ISSUED, 90 * 86400) == ISSUED + timedelta(days=60)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8701", "127.0.0.1"),
        ("LocalHost", "localhost"),
        ("[::1]:8701", "::1"),
        ("[::1]", "::1"),
        ("evil.example:8701", "evil.example"),
        ("", ""),
    ],
)
def test_the_host_name_is_read_without_its_port(header: str, name: str) -> None:
    assert host_name(header) == name
