"""Staff PINs: the format rule, argon2id hashing, verification and the rehash check.

A PIN is 4 to 8 ASCII digits. HQ sets a staff member's first PIN and only its argon2id hash
travels (in the store's feed); the till verifies against the hash, offline too.

Parameters (argon2-cffi's `PasswordHasher`): argon2id, memory 19 MiB (19,456 KiB), 2
iterations, 1 lane, 16-byte salt, 32-byte hash: the minimum configuration of the OWASP
Password Storage Cheat Sheet (Argon2id section), chosen because a till PC verifies a PIN
at every sign-in and every manager override while the cashier waits: about 20 ms on a
two-core machine (RFC 9106's "low memory" choice, 64 MiB and 3 passes with 4 lanes, took
180 ms there). Hashes made with other parameters still verify (the parameters are in the
hash); `needs_rehash` says when one should be replaced.

What the hash does not do: a PIN has at most 10^8 values, so anyone holding a hash can find
its PIN offline whatever the parameters. The hash keeps PINs out of the feed, the database
and the logs; against guessing at the till the guard is the lockout (edge.domain.staff), and
the feed and the edge's database must stay as private as they already are.

Trivial PINs (0000, 1234, 9876) are accepted here: HQ may set them (`vectis demo` gives its
cashiers 1234 and its managers 9999), and a staff member's own change at the till refuses
them (`is_trivial_pin`, used by edge.domain.staff.change_pin).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shared.errors import SharedError

PIN_MIN_DIGITS = 4
PIN_MAX_DIGITS = 8

# OWASP Password Storage Cheat Sheet, Argon2id minimum: m=19 MiB, t=2, p=1.
TIME_COST = 2
MEMORY_COST_KIB = 19_456
PARALLELISM = 1
HASH_LEN = 32
SALT_LEN = 16

_HASHER = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=HASH_LEN,
    salt_len=SALT_LEN,
    type=Type.ID,
)
_DIGITS = frozenset("0123456789")


class InvalidPin(SharedError, ValueError):
    """A PIN that is not 4 to 8 ASCII digits. Carries no PIN, only the reason."""

    code = "invalid_pin"

    def __init__(self, reason: str) -> None:
        super().__init__(f"a PIN is {PIN_MIN_DIGITS} to {PIN_MAX_DIGITS} digits: {reason}")
        self.reason = reason


class InvalidPinHash(SharedError, ValueError):
    """A stored PIN hash that is not an argon2 hash (a damaged record): nobody can sign in
    with it until HQ sets the PIN again."""

    code = "invalid_pin_hash"

    def __init__(self) -> None:
        super().__init__("the stored PIN hash is not an argon2 hash; HQ must set the PIN again")


def check_pin(pin: str) -> str:
    """`pin` if it is 4 to 8 ASCII digits ("0123"; leading zeros count). Raises InvalidPin."""
    if not isinstance(pin, str) or not pin or not set(pin) <= _DIGITS:
        raise InvalidPin("digits 0-9 only")
    if not PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS:
        raise InvalidPin(f"{len(pin)} digits")
    return pin


def is_trivial_pin(pin: str) -> bool:
    """True for a PIN anyone would try first: one digit repeated (0000, 99999) or a run of
    consecutive digits up or down (1234, 3456, 9876, 43210)."""
    if len(set(pin)) == 1:
        return True
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {-1})


def hash_pin(pin: str) -> str:
    """The argon2id hash of `pin` (an encoded string, "$argon2id$v=19$m=19456,t=2,p=1$...",
    with its own random salt). Raises InvalidPin."""
    return _HASHER.hash(check_pin(pin))


class RecentPins:
    """The PINs this process verified right in the last `ttl_s` seconds, so that a manager
    approving override after override at a till (or a replay doing so 1,500 times) pays
    argon2id's 20 ms once per `ttl_s` rather than every time.

    Held in memory only, as HMAC-SHA-256 under a key drawn at start-up of (hash, PIN): never
    the PIN, and an entry is found only by the same PIN against the same hash, so a changed
    PIN (a new hash, new salt) misses and needs argon2id again. Only right PINs are kept: a
    wrong one is always checked in full, costs the same 20 ms as before and counts towards
    the lockout as before (the lockout is checked before the PIN, edge.domain.staff). The
    hash at rest keeps exactly the protection it had. At most `size` entries, oldest out.
    Thread-safe (the edge verifies PINs on its writer and reader threads).
    """

    def __init__(
        self,
        ttl_s: float = 600.0,
        size: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s, self.size, self._clock = ttl_s, size, clock
        self._key = secrets.token_bytes(32)
        self._verified: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def _digest(self, pin_hash: str, pin: str) -> bytes:
        return hmac.new(self._key, f"{pin_hash}\0{pin}".encode(), hashlib.sha256).digest()

    def seen(self, pin_hash: str, pin: str) -> bool:
        """True if `pin` was verified right against `pin_hash` less than `ttl_s` ago."""
        digest = self._digest(pin_hash, pin)
        with self._lock:
            verified_at = self._verified.get(digest)
            if verified_at is None:
                return False
            if self._clock() - verified_at >= self.ttl_s:
                del self._verified[digest]
                return False
            return True

    def remember(self, pin_hash: str, pin: str) -> None:
        """Note that `pin` is right for `pin_hash`, as of now."""
        digest = self._digest(pin_hash, pin)
        with self._lock:
            self._verified[digest] = self._clock()
            self._verified.move_to_end(digest)
            while len(self._verified) > self.size:
                self._verified.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._verified.clear()


RECENT_PINS = RecentPins()


def verify_pin(pin_hash: str, pin: str, recent: RecentPins | None = RECENT_PINS) -> bool:
    """True if `pin` is the PIN of `pin_hash`: argon2id, unless `recent` (the process's
    RecentPins by default; None: always argon2id) saw this right PIN for this hash lately. A
    PIN that is not 4 to 8 digits is simply wrong (False, no hashing). Raises InvalidPinHash
    when `pin_hash` is not an argon2 hash."""
    try:
        check_pin(pin)
    except InvalidPin:
        return False
    if recent is not None and recent.seen(pin_hash, pin):
        return True
    try:
        right = _HASHER.verify(pin_hash, pin)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError):
        raise InvalidPinHash() from None
    if right and recent is not None:
        recent.remember(pin_hash, pin)
    return right


def needs_rehash(pin_hash: str) -> bool:
    """True if `pin_hash` was made with other parameters than today's (older, weaker or
    stronger): after a correct PIN, the service may store `hash_pin(pin)` instead. Raises
    InvalidPinHash."""
    try:
        return _HASHER.check_needs_rehash(pin_hash)
    except (InvalidHashError, ValueError):
        raise InvalidPinHash() from None
