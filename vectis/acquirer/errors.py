"""Errors of the simulated acquirer's API; `app.py` answers each with its `status` and the
error body `{"error": code, "detail": text}`.

AcquirerApiError
  Unauthorized (401)          no or a wrong `Authorization: Bearer` key
  PaymentNotFound (404)       no payment with that id
  OperationNotFound (404)     no operation recorded under that idempotency key
  IdempotencyKeyReused (409)  a key seen before, sent with a different request
  InvalidState (409)          capture of a payment not authorized, void of one not authorized
  InvalidAmount (422)         not positive, more places than the currency has, above what
                              was authorized
  UnsupportedCurrency (422)   a currency the simulator does not know
  SeveralCurrencies (422)     a settlement day holds several currencies: name one
  ClockNotDriven (409)        PUT /v1/clock on a simulator running on the system clock
  ClockBackwards (409)        PUT /v1/clock to a time before the clock's
"""

from __future__ import annotations


class AcquirerApiError(Exception):
    """Base: `status` is the HTTP status, `code` the error code of the body."""

    status = 400
    code = "bad_request"


class Unauthorized(AcquirerApiError):
    """No API key, or not this simulator's."""

    status = 401
    code = "unauthorized"


class PaymentNotFound(AcquirerApiError):
    """No payment with this id."""

    status = 404
    code = "payment_not_found"


class OperationNotFound(AcquirerApiError):
    """No operation was recorded under this idempotency key."""

    status = 404
    code = "operation_not_found"


class IdempotencyKeyReused(AcquirerApiError):
    """The key was first used for a different request; its first result stands."""

    status = 409
    code = "idempotency_key_reused"


class InvalidState(AcquirerApiError):
    """The payment is not in a state that allows the operation."""

    status = 409
    code = "invalid_payment_state"


class InvalidAmount(AcquirerApiError):
    """An amount that is not positive, not exact in the currency, or above the limit."""

    status = 422
    code = "invalid_amount"


class UnsupportedCurrency(AcquirerApiError):
    """A currency the simulator does not know (shared.money.MINOR_UNITS)."""

    status = 422
    code = "unsupported_currency"


class SeveralCurrencies(AcquirerApiError):
    """The settlement day holds several currencies; ask for one (`?currency=`)."""

    status = 422
    code = "several_currencies"


class ClockNotDriven(AcquirerApiError):
    """The simulator runs on the system clock; start it with `--clock manual`."""

    status = 409
    code = "clock_not_driven"


class ClockBackwards(AcquirerApiError):
    """A driven clock only moves forward."""

    status = 409
    code = "clock_backwards"
