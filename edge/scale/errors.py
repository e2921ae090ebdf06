"""Errors of the till's scale. HTTP statuses are mapped only in edge/api.

EdgeError (edge.errors)
+-- Conflict                409
|   +-- ScaleUnstable           the weight kept moving (or the scale stayed busy): weigh again
+-- Invalid                 422
|   +-- ScaleOverload           more on the platter than the scale's capacity (`S +`, `T +`)
|   +-- ScaleUnderload          below the scale's zero range, e.g. the platter lifted (`S -`, `T -`)
|   +-- InvalidScaleConfig      a till's scale configuration that cannot name a scale
+-- Unavailable             503
    +-- ScaleError              the scale answered with an error or something we cannot read
    |   +-- ScaleNotReady           `S I`/`T I`: the scale cannot do it now (the client retries)
    +-- ScaleTimeout            nothing listens at the scale's address, or it did not answer in time
"""

from __future__ import annotations

from edge.errors import Conflict, Invalid, Unavailable


class ScaleUnstable(Conflict):
    """No stable weight after the client's attempts; `attempts` says how many were made."""

    code = "scale_unstable"

    def __init__(self, attempts: int) -> None:
        super().__init__(f"the scale did not settle after {attempts} readings; weigh again")
        self.attempts = attempts


class ScaleOverload(Invalid):
    """The load is above the scale's capacity; take something off the platter."""

    code = "scale_overload"

    def __init__(self) -> None:
        super().__init__("the scale is overloaded")


class ScaleUnderload(Invalid):
    """The reading is below the scale's zero range (platter lifted or not zeroed)."""

    code = "scale_underload"

    def __init__(self) -> None:
        super().__init__("the scale reads below zero range")


class InvalidScaleConfig(Invalid):
    """A scale configuration that cannot be used; `reason` says why."""

    code = "scale_config_invalid"

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid scale configuration: {reason}")
        self.reason = reason


class ScaleError(Unavailable):
    """The scale answered with an error (`ES`, `ET`, `EL`) or an answer we cannot read."""

    code = "scale_error"

    def __init__(self, reason: str) -> None:
        super().__init__(f"scale error: {reason}")
        self.reason = reason


class ScaleNotReady(ScaleError):
    """`S I` or `T I`: the scale cannot carry out the command now (busy or still settling)."""

    code = "scale_not_ready"


class ScaleTimeout(Unavailable):
    """The scale could not be reached or did not answer within the configured timeout."""

    code = "scale_timeout"

    def __init__(self, reason: str) -> None:
        super().__init__(f"scale did not answer: {reason}")
        self.reason = reason
