"""The fast verification strategy: batch verification on the fast pairing, with caches.

Per-key work is cached because operators sign every task: the G2 subgroup check of a key
(~10 ms), its Miller-loop lines (~3 ms), the lines of a signer set's aggregate key, and
the hash to G1 of a message. The semantics are those of
:class:`avs.crypto.batch_verify.Verifier`, which this class implements.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Generic, TypeVar

from avs.crypto.bigint import P
from avs.crypto.bn254 import hash_to_g1
from avs.crypto.fast_batch import Entry, batch_equation_holds
from avs.crypto.fast_curve import (
    G1Aff,
    G2Aff,
    g2_from_affine,
    g2_in_subgroup,
    g2_jac_add,
    g2_to_affine,
)
from avs.crypto.fast_fields import F12_ONE
from avs.crypto.fast_g2table import SplitTables, split_key_tables
from avs.crypto.fast_identify import find_invalid as identify_invalid
from avs.crypto.fast_locate import Context
from avs.crypto.fast_msm import sum_lists
from avs.crypto.fast_pairing import (
    G2Lines,
    final_exponentiation,
    miller_loop,
    precompute_lines,
)
from avs.crypto.points import G2_GENERATOR, G1Point, G2Point
from avs.errors import CryptoError

if TYPE_CHECKING:
    from avs.crypto.batch_verify import SignatureItem


def check_lengths(pubkeys: Sequence[G2Point], signatures: Sequence[G1Point]) -> None:
    """Raise CryptoError unless there is one public key per signature."""
    if len(pubkeys) != len(signatures):
        raise CryptoError(
            f"verify_aggregate got {len(pubkeys)} public keys but {len(signatures)} "
            "signatures; pass one key per signature"
        )


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Lru(Generic[K, V]):
    """A small least-recently-used cache (the verifier's per-key work)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[K], V]) -> V:
        try:
            self._data.move_to_end(key)
            return self._data[key]
        except KeyError:
            value = make(key)
            self._data[key] = value
            if len(self._data) > self._size:
                self._data.popitem(last=False)
            return value


def _g2_affine_sum(keys: Sequence[G2Aff], weighted: bool) -> G2Aff | None:
    """sum pk_i, or sum i * pk_i (i from 1) by suffix sums when ``weighted``."""
    acc = g2_from_affine(None)
    suffix = g2_from_affine(None)
    for q in reversed(keys):
        if weighted:
            suffix = g2_jac_add(suffix, g2_from_affine(q))
            acc = g2_jac_add(acc, suffix)
        else:
            acc = g2_jac_add(acc, g2_from_affine(q))
    return g2_to_affine(acc)


_SUSPECTS_MAX = 64


class FastVerifier:
    """Fast strategy: batch verification on the fast pairing, with per-key caches.

    Keep one instance per worker thread (the caches are not locked) and reuse it: the
    caches make repeated keys (operators sign every task) almost free.
    """

    def __init__(self, cache_size: int = 4096) -> None:
        self._subgroup: _Lru[G2Point, G2Aff] = _Lru(cache_size)
        self._lines: _Lru[G2Aff, G2Lines] = _Lru(cache_size)
        self._tables: _Lru[G2Aff, SplitTables] = _Lru(cache_size)
        self._apk: _Lru[tuple[G2Aff, ...], G2Lines | None] = _Lru(256)
        self._wpk: _Lru[tuple[G2Aff, ...], G2Lines | None] = _Lru(256)
        self._hash_size = cache_size
        self._hash: _Lru[bytes, G1Aff] = _Lru(cache_size)
        self._g2_lines = precompute_lines((G2_GENERATOR.x, G2_GENERATOR.y))
        self._suspects: set[G2Aff] = set()

    def sharing_key_caches(self) -> FastVerifier:
        """A verifier that reuses this one's per-key caches (subgroup checks, lines,
        signer-set keys) but has no cached message hashes and no suspects.

        For measuring per-task work with warm keys; use both from the same thread only.
        """
        other = FastVerifier.__new__(FastVerifier)
        other._subgroup, other._lines = self._subgroup, self._lines
        other._tables = self._tables
        other._apk, other._wpk, other._g2_lines = self._apk, self._wpk, self._g2_lines
        other._hash = _Lru(self._hash_size)
        other._suspects = set()
        return other

    def warm_up(self, pubkeys: Iterable[G2Point] = (), messages: Iterable[bytes] = ()) -> None:
        """Do per-key and per-message work ahead of time (e.g. when operators register or
        a task is created): subgroup checks and lines of keys, hashes of messages.

        Raises CryptoError for an invalid key, as verification would.
        """
        for pk in pubkeys:
            q = self._key(pk)
            self._key_lines(q)
            self._key_table(q)
        for message in messages:
            self._hash_of(message)

    # --- cached per-key work -----------------------------------------------------------

    def _key(self, pk: G2Point) -> G2Aff:
        return self._subgroup.get(pk, _checked_key)

    def _key_lines(self, q: G2Aff) -> G2Lines:
        return self._lines.get(q, precompute_lines)

    def _key_table(self, q: G2Aff) -> SplitTables:
        return self._tables.get(q, split_key_tables)

    def _hash_of(self, message: bytes) -> G1Aff:
        return self._hash.get(bytes(message), _hash_affine)

    def _set_lines(self, keys: tuple[G2Aff, ...], weighted: bool) -> G2Lines | None:
        cache = self._wpk if weighted else self._apk

        def make(ks: tuple[G2Aff, ...]) -> G2Lines | None:
            q = _g2_affine_sum(ks, weighted)
            return None if q is None else precompute_lines(q)

        return cache.get(keys, make)

    # --- the Verifier protocol -----------------------------------------------------------

    def verify(self, pubkey_g2: G2Point, message: bytes, signature: G1Point) -> bool:
        """True if ``signature`` is valid for ``message`` under ``pubkey_g2``."""
        return self.verify_aggregate([pubkey_g2], message, [signature])

    def verify_aggregate(
        self, pubkeys_g2: Sequence[G2Point], message: bytes, signatures: Sequence[G1Point]
    ) -> bool:
        """One 2-pairing check on the sums; a signer set's aggregate key lines are cached."""
        check_lengths(pubkeys_g2, signatures)
        keys = tuple(sorted(self._key(pk) for pk in pubkeys_g2))  # sum: order is irrelevant
        h = self._hash_of(message)
        if not signatures or any(s.is_infinity() for s in signatures):
            return False
        if len(keys) == 1:
            apk_lines: G2Lines | None = self._key_lines(keys[0])
        else:
            apk_lines = self._set_lines(keys, weighted=False)
        agg = sum_lists([[(s.x, s.y) for s in signatures]])[0]
        pairs: list[tuple[G1Aff, G2Lines]] = []
        if agg is not None:
            pairs.append((agg, self._g2_lines))
        if apk_lines is not None:
            pairs.append(((h[0], (P - h[1]) % P), apk_lines))
        return not pairs or final_exponentiation(miller_loop(pairs)) == F12_ONE

    def batch_verify(self, items: Sequence[SignatureItem]) -> bool:
        """Every item valid? Two Miller loops (plus one per column missing from some rows)
        and one final exponentiation, whatever the batch size."""
        entries, hashes, _, infinite = self._prepare(items)
        if infinite:
            return False
        return batch_equation_holds(
            entries, hashes, self._g2_lines, self._key_lines, self._key_table
        )

    def find_invalid(self, items: Sequence[SignatureItem]) -> list[int]:
        """Indices of the invalid items; one batch check when all are valid, about one
        or two pairing checks per bad signature otherwise (:mod:`~avs.crypto.fast_identify`)."""
        entries, hashes, origin, infinite = self._prepare(items)

        def batch_ok(idx: Sequence[int]) -> bool:
            sub = [entries[i] for i in idx]
            return batch_equation_holds(
                sub, hashes, self._g2_lines, self._key_lines, self._key_table
            )

        ctx = Context(
            entries=entries,
            hashes=hashes,
            g2_lines=self._g2_lines,
            key_lines=self._key_lines,
            apk_lines=lambda ks: self._set_lines(ks, weighted=False),
            wpk_lines=lambda ks: self._set_lines(ks, weighted=True),
            batch_ok=batch_ok,
            suspects=self._suspects,
        )
        bad = identify_invalid(ctx) if entries else []
        while len(self._suspects) > _SUSPECTS_MAX:
            self._suspects.pop()
        return sorted(infinite + [origin[i] for i in bad])

    def _prepare(
        self, items: Sequence[SignatureItem]
    ) -> tuple[list[Entry], list[G1Aff], list[int], list[int]]:
        """Entries (validated keys, affine ints), row hashes, entry -> item index, and the
        indices of infinity signatures (invalid without any pairing)."""
        rows: dict[bytes, int] = {}
        hashes: list[G1Aff] = []
        entries: list[Entry] = []
        origin: list[int] = []
        infinite: list[int] = []
        keys: dict[int, G2Aff] = {}  # by id(): the same key object recurs in every task
        for i, it in enumerate(items):
            pk = it.pubkey_g2
            key = keys.get(id(pk))
            if key is None:
                key = keys[id(pk)] = self._key(pk)
            row = rows.get(it.message)
            if row is None:
                row = rows[it.message] = len(hashes)
                hashes.append(self._hash_of(it.message))
            sig = it.signature
            if sig.x == 0 and sig.y == 0:  # infinity
                infinite.append(i)
                continue
            entries.append(Entry(row, key, (sig.x, sig.y)))
            origin.append(i)
        return entries, hashes, origin, infinite


def _checked_key(pk: G2Point) -> G2Aff:
    if pk.is_infinity():
        raise CryptoError("the point at infinity is not a valid BLS public key")
    q = (pk.x, pk.y)
    if not g2_in_subgroup(q):
        raise CryptoError(
            "G2 point is on the twist but not in the BN254 r-torsion subgroup; "
            "it is not a valid public key or signature"
        )
    return q


def _hash_affine(message: bytes) -> G1Aff:
    h = hash_to_g1(message)
    return (h.x, h.y)


__all__ = ["FastVerifier", "check_lengths"]
