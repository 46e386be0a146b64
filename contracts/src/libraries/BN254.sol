// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title BN254 (alt_bn128) curve arithmetic over the EVM precompiles (EIP-196, EIP-197, EIP-198).
/// @notice Conventions follow EigenLayer's BN254.sol so that certificates and proofs of possession
///         verify identically on EigenLayer middleware: G2 coordinates are ordered
///         `[imaginary, real]` (EIP-197) and `hashToG1` is try-and-increment without sign
///         normalisation of y (DESIGN.md section 3).
library BN254 {
    /// @notice Base field modulus p.
    uint256 internal constant FP_MODULUS =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
    /// @notice Group order r (scalar field).
    uint256 internal constant FR_MODULUS =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @dev (p + 1) / 4: square root exponent, valid because p = 3 mod 4.
    uint256 private constant SQRT_EXPONENT =
        0xc19139cb84c680a6e14116da060561765e05aa45a1c72a34f082305b61f3f52;

    // Negated G2 generator, EIP-197 order (x_imag, x_real, y_imag, y_real).
    uint256 private constant NEG_G2_X1 =
        11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 private constant NEG_G2_X0 =
        10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 private constant NEG_G2_Y1 =
        17805874995975841540914202342111839520379459829704422454583296818431106115052;
    uint256 private constant NEG_G2_Y0 =
        13392588948715843804641432497768002650278120570034223513918757245338268106653;

    /// @notice A point on G1 in affine coordinates; (0, 0) is the point at infinity.
    struct G1Point {
        uint256 X;
        uint256 Y;
    }

    /// @notice A point on G2; each coordinate is `[imaginary, real]` (EIP-197 order).
    struct G2Point {
        uint256[2] X;
        uint256[2] Y;
    }

    /// @notice A precompile call failed: an input point is not on the curve or not in the subgroup.
    error BN254PrecompileFailed();

    /// @notice The G1 generator (1, 2).
    function generatorG1() internal pure returns (G1Point memory) {
        return G1Point(1, 2);
    }

    /// @notice -P; the point at infinity maps to itself.
    function negate(G1Point memory p) internal pure returns (G1Point memory) {
        if (p.X == 0 && p.Y == 0) return G1Point(0, 0);
        return G1Point(p.X, FP_MODULUS - (p.Y % FP_MODULUS));
    }

    /// @notice P + Q through the ecAdd precompile (0x06).
    function plus(G1Point memory p, G1Point memory q) internal view returns (G1Point memory r) {
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, mload(p))
            mstore(add(buf, 0x20), mload(add(p, 0x20)))
            mstore(add(buf, 0x40), mload(q))
            mstore(add(buf, 0x60), mload(add(q, 0x20)))
            ok := staticcall(gas(), 0x06, buf, 0x80, r, 0x40)
        }
        if (!ok) revert BN254PrecompileFailed();
    }

    /// @notice s * P through the ecMul precompile (0x07).
    function scalarMul(G1Point memory p, uint256 s) internal view returns (G1Point memory r) {
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, mload(p))
            mstore(add(buf, 0x20), mload(add(p, 0x20)))
            mstore(add(buf, 0x40), s)
            ok := staticcall(gas(), 0x07, buf, 0x60, r, 0x40)
        }
        if (!ok) revert BN254PrecompileFailed();
    }

    /// @notice n * P for a small n by repeated addition (cheaper than ecMul for n <= ~40).
    function scalarMulTiny(G1Point memory p, uint256 n) internal view returns (G1Point memory r) {
        if (n == 1) return p;
        r = G1Point(0, 0);
        for (uint256 i = 0; i < n; ++i) {
            r = plus(r, p);
        }
    }

    /// @notice keccak256(X || Y): the operator id of a G1 public key.
    function hashG1Point(G1Point memory p) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(p, 0x40)
        }
    }

    /// @notice keccak256 over the four EIP-197-ordered words of a G2 point.
    function hashG2Point(G2Point memory p) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(p.X[0], p.X[1], p.Y[0], p.Y[1]));
    }

    /// @notice e(a1, a2) * e(b1, b2) == 1 through the pairing precompile (0x08).
    /// @dev Reverts with BN254PrecompileFailed on malformed inputs (off-curve or off-subgroup).
    function pairing(G1Point memory a1, G2Point memory a2, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        uint256[12] memory input = [
            a1.X, a1.Y, a2.X[0], a2.X[1], a2.Y[0], a2.Y[1],
            b1.X, b1.Y, b2.X[0], b2.X[1], b2.Y[0], b2.Y[1]
        ];
        uint256[1] memory out;
        bool ok;
        assembly ("memory-safe") {
            ok := staticcall(gas(), 0x08, input, 0x180, out, 0x20)
        }
        if (!ok) revert BN254PrecompileFailed();
        return out[0] == 1;
    }

    /// @notice e(a1, -g2) * e(b1, b2) == 1: the shape of every BLS check in this code base.
    function pairingWithNegG2(G1Point memory a1, G1Point memory b1, G2Point memory b2)
        internal
        view
        returns (bool)
    {
        G2Point memory negG2 = G2Point([NEG_G2_X1, NEG_G2_X0], [NEG_G2_Y1, NEG_G2_Y0]);
        return pairing(a1, negG2, b1, b2);
    }

    /// @notice Verify one BLS signature: e(sigma, -g2) * e(H(m), pk2) == 1.
    function verifySignature(bytes32 message, G1Point memory sigma, G2Point memory pubkeyG2)
        internal
        view
        returns (bool)
    {
        return pairingWithNegG2(sigma, hashToG1(message), pubkeyG2);
    }

    /// @notice Try-and-increment hash to G1 (DESIGN.md section 3); `m` must be a keccak256 output.
    function hashToG1(bytes32 m) internal view returns (G1Point memory) {
        uint256 x = uint256(m) % FP_MODULUS;
        while (true) {
            uint256 beta = addmod(mulmod(mulmod(x, x, FP_MODULUS), x, FP_MODULUS), 3, FP_MODULUS);
            uint256 y = expMod(beta, SQRT_EXPONENT, FP_MODULUS);
            if (beta == mulmod(y, y, FP_MODULUS)) return G1Point(x, y);
            x = addmod(x, 1, FP_MODULUS);
        }
        // unreachable: about half of all x values are on the curve
        return G1Point(0, 0);
    }

    /// @notice base^exponent mod modulus through the modexp precompile (0x05).
    function expMod(uint256 base, uint256 exponent, uint256 modulus)
        internal
        view
        returns (uint256 result)
    {
        bool ok;
        assembly ("memory-safe") {
            let buf := mload(0x40)
            mstore(buf, 0x20)
            mstore(add(buf, 0x20), 0x20)
            mstore(add(buf, 0x40), 0x20)
            mstore(add(buf, 0x60), base)
            mstore(add(buf, 0x80), exponent)
            mstore(add(buf, 0xa0), modulus)
            ok := staticcall(gas(), 0x05, buf, 0xc0, buf, 0x20)
            result := mload(buf)
        }
        if (!ok) revert BN254PrecompileFailed();
    }
}
