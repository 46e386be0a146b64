"""BN254 (alt_bn128) constants and the affine point value types.

Points are plain integers so they can be hashed, compared, serialised and sent across
processes; the arithmetic backend (py_ecc) lives in :mod:`avs.crypto.bn254`. Every
constructed point is range- and curve-checked here (cheap integer maths), so an
off-curve point can never exist as a ``G1Point``/``G2Point``. The G2 subgroup check is
expensive and is done where points enter the system (``g2_from_evm``, ``verify``).
"""

from __future__ import annotations

from dataclasses import dataclass

from avs.errors import CryptoError

P = 21888242871839275222246405745257275088696311157297823662689037894645226208583
"""Base field modulus p of alt_bn128."""

R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
"""Prime order r of G1 and G2 (the scalar field)."""

B1 = 3
"""G1 curve: y^2 = x^3 + 3 over F_p."""

B2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)
"""G2 twist curve: y^2 = x^3 + 3/(9+u) over F_p^2 = F_p[u]/(u^2+1), as (real, imag)."""

Fp2 = tuple[int, int]
"""An F_p^2 element as (real, imag) = (c0, c1), the order py_ecc uses."""


def _fp2_mul(a: Fp2, b: Fp2) -> Fp2:
    # (a0 + a1 u)(b0 + b1 u) with u^2 = -1
    return ((a[0] * b[0] - a[1] * b[1]) % P, (a[0] * b[1] + a[1] * b[0]) % P)


def _in_field(*values: int) -> bool:
    return all(isinstance(v, int) and 0 <= v < P for v in values)


def is_on_curve_g1(x: int, y: int) -> bool:
    """True if (x, y) satisfies y^2 = x^3 + 3 (the infinity encoding (0, 0) does not)."""
    return _in_field(x, y) and (y * y - x * x * x - B1) % P == 0


def is_on_curve_g2(x: Fp2, y: Fp2) -> bool:
    """True if (x, y) lies on the G2 twist (says nothing about the r-torsion subgroup)."""
    if not _in_field(*x, *y):
        return False
    lhs = _fp2_mul(y, y)
    x3 = _fp2_mul(_fp2_mul(x, x), x)
    return lhs == ((x3[0] + B2[0]) % P, (x3[1] + B2[1]) % P)


@dataclass(frozen=True, slots=True)
class G1Point:
    """An affine point of G1; ``G1Point(0, 0)`` is the point at infinity (EVM convention)."""

    x: int
    """Affine x coordinate in [0, p)."""
    y: int
    """Affine y coordinate in [0, p)."""

    def __post_init__(self) -> None:
        if not (self.is_infinity() or is_on_curve_g1(self.x, self.y)):
            raise CryptoError(
                f"G1 point ({self.x:#x}, {self.y:#x}) is not on the BN254 curve "
                "or has a coordinate outside [0, p); check the encoding"
            )

    def is_infinity(self) -> bool:
        """True for the point at infinity, encoded as (0, 0)."""
        return self.x == 0 and self.y == 0


@dataclass(frozen=True, slots=True)
class G2Point:
    """An affine point of the G2 twist; all-zero coordinates encode infinity.

    Coordinates are (real, imag) = (c0, c1) like py_ecc; the EVM (EIP-197) order is the
    reverse, see :func:`avs.crypto.bn254.g2_to_evm`.
    """

    x: Fp2
    """Affine x coordinate as (real, imag)."""
    y: Fp2
    """Affine y coordinate as (real, imag)."""

    def __post_init__(self) -> None:
        if not (self.is_infinity() or is_on_curve_g2(self.x, self.y)):
            raise CryptoError(
                f"G2 point x={_fmt2(self.x)} y={_fmt2(self.y)} is not on the BN254 twist "
                "or has a coordinate outside [0, p); check the (real, imag) order"
            )

    def is_infinity(self) -> bool:
        """True for the point at infinity, encoded with all four coordinates 0."""
        return self.x == (0, 0) and self.y == (0, 0)


def _fmt2(v: tuple[object, ...]) -> str:
    return "(" + ", ".join(f"{c:#x}" if isinstance(c, int) else repr(c) for c in v) + ")"


G1_INFINITY = G1Point(0, 0)
"""The identity of G1."""
G2_INFINITY = G2Point((0, 0), (0, 0))
"""The identity of G2."""

G1_GENERATOR = G1Point(1, 2)
"""The standard generator g1 = (1, 2)."""
G2_GENERATOR = G2Point(
    (
        10857046999023057135944570762232829481370756359578518086990519993285655852781,
        11559732032986387107991004021392285783925812861821192530917403151452391805634,
    ),
    (
        8495653923123431417604973247489272438418190587263600148770280649306958101930,
        4082367875863433681332203403145435568316851327593401208105741076214120093531,
    ),
)
"""The standard G2 generator of EIP-197 / py_ecc, as (real, imag) coordinates."""


def validate_secret(sk: int) -> int:
    """Return ``sk`` if it is a valid BLS secret key in [1, r), else raise CryptoError."""
    if isinstance(sk, bool) or not isinstance(sk, int) or not 0 < sk < R:
        raise CryptoError(
            "BLS secret key must be an integer in [1, r) (BN254 group order); "
            "it is zero, negative or too large: regenerate or re-import the key"
        )
    return sk
