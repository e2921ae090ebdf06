"""The stored-value port over the hub's sync API: a till asks a gift card's or a customer's
store-credit balance live (`GET /v1/sync/stored-value/{kind}/{account}`), with the node's
store credential, and gives up after a short timeout (the offline rule then applies)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from edge.payments.stored_value import (
    AccountUnknown,
    LedgerUnreachable,
    StoredValueBalance,
    StoredValueKind,
)
from shared.errors import SharedError
from shared.money import Money
from sync.client import HubClient
from sync.errors import HubRejected, HubRequestFailed

# Long enough for a hub on the store's link to answer, short enough for a customer waiting.
DEFAULT_TIMEOUT_S = 2.0


class HubStoredValueLedger:
    """`StoredValueLedger` asking the hub at `hub_url`.

    `credential` returns the node's current store credential (it rotates; None before
    enrolment) and is called for each question. `timeout_s` bounds the whole exchange
    (connect included), in seconds. `transport` is httpx's, for a hub served in-process.
    """

    def __init__(
        self,
        hub_url: str,
        credential: Callable[[], Awaitable[str | None]],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._hub_url = hub_url
        self._credential = credential
        self._timeout_s = timeout_s
        self._transport = transport

    async def balance(self, kind: StoredValueKind, account: str) -> StoredValueBalance:
        """The balance after every movement the hub has recorded (`StoredValueBalance`, money
        in the account's currency). Raises AccountUnknown (the hub never saw the account: a
        gift card not activated), LedgerUnreachable (no answer within the timeout, the hub
        failing or refusing the node's credential, or the node not enrolled yet)."""
        credential = await self._credential()
        if credential is None:
            raise LedgerUnreachable("this node is not enrolled with the hub yet")
        try:
            async with HubClient(
                self._hub_url,
                credential,
                transport=self._transport,
                timeout_s=self._timeout_s,
                connect_timeout_s=self._timeout_s,
            ) as client:
                held = await client.stored_value(kind, account)
        except HubRejected as error:
            if error.status_code == 404 and error.error == "unknown_account":
                raise AccountUnknown(f"the hub has no {kind} account {account}") from error
            raise LedgerUnreachable(str(error)) from error
        except HubRequestFailed as error:
            raise LedgerUnreachable(str(error)) from error
        try:
            balance = Money.of(held.balance, held.currency)
        except SharedError as error:  # a currency this till does not know: no usable answer
            raise LedgerUnreachable(f"the hub's balance is unusable: {error}") from error
        return StoredValueBalance(
            kind=kind,
            account=held.account,
            balance=balance,
            as_of=held.as_of,
            blocked=held.status == "blocked",
        )
