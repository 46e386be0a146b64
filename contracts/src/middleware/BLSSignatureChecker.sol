// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {BitmapUtils} from "../libraries/BitmapUtils.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IBLSSignatureChecker} from "../interfaces/IBLSSignatureChecker.sol";

/// @title Quorum certificate checker (EigenLayer BLSSignatureChecker semantics).
/// @notice apk = sum of the quorum APKs at the reference block minus each non-signer's pk1 once
///         per signed quorum it belonged to; the aggregate signature must verify against apk and
///         apkG2 with the gamma-combined pairing of DESIGN.md section 3, which also proves that
///         apkG2 and apk hold the same secret. Every history read uses a caller-supplied index
///         ("hint"), so the whole check costs O(quorums + non-signers) SLOADs and one pairing.
contract BLSSignatureChecker is IBLSSignatureChecker {
    using BN254 for BN254.G1Point;

    /// @notice Source of keys, stakes and histories.
    IOperatorRegistry public immutable registry;
    /// @notice Oldest reference block accepted, in blocks before the current one.
    uint32 public immutable maxReferenceBlockAge;

    // Working set of one check; a struct keeps the stack shallow without via-IR.
    struct CheckState {
        uint256 signingBitmap;
        BN254.G1Point apk;
        bytes32[] nonSignerIds;
        uint256[] nonSignerBitmaps;
    }

    /// @param registry_ The operator registry.
    /// @param maxReferenceBlockAge_ Oldest reference block accepted (blocks before now).
    constructor(IOperatorRegistry registry_, uint32 maxReferenceBlockAge_) {
        registry = registry_;
        maxReferenceBlockAge = maxReferenceBlockAge_;
    }

    /// @inheritdoc IBLSSignatureChecker
    function checkSignatures(
        bytes32 msgHash,
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) external view returns (QuorumStakeTotals memory totals, bytes32 signatoryRecordHash) {
        (totals, signatoryRecordHash,) =
            _checkSignatures(msgHash, quorumNumbers, referenceBlockNumber, params);
    }

    /// @dev As checkSignatures, also returning the non-signer operator ids (for events).
    function _checkSignatures(
        bytes32 msgHash,
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    )
        internal
        view
        returns (QuorumStakeTotals memory totals, bytes32 signatoryRecordHash, bytes32[] memory nonSignerIds)
    {
        _checkShape(quorumNumbers, referenceBlockNumber, params);
        CheckState memory st;
        st.signingBitmap = BitmapUtils.orderedBytesToBitmap(quorumNumbers);
        _collectNonSigners(st, referenceBlockNumber, params);
        totals = _sumQuorums(st, quorumNumbers, referenceBlockNumber, params);
        _verifyAggregate(msgHash, st.apk, params.apkG2, params.sigma);
        nonSignerIds = st.nonSignerIds;
        signatoryRecordHash = keccak256(abi.encodePacked(referenceBlockNumber, nonSignerIds));
    }

    function _checkShape(
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) private view {
        uint256 nq = quorumNumbers.length;
        if (
            params.quorumApks.length != nq || params.quorumApkIndices.length != nq
                || params.totalStakeIndices.length != nq || params.nonSignerStakeIndices.length != nq
                || params.nonSignerPubkeys.length != params.nonSignerQuorumBitmapIndices.length
        ) revert InputArrayLengthMismatch();
        if (referenceBlockNumber >= block.number) {
            revert ReferenceBlockNotInPast(referenceBlockNumber, block.number);
        }
        if (block.number - referenceBlockNumber > maxReferenceBlockAge) {
            revert StaleReferenceBlock(referenceBlockNumber, block.number, maxReferenceBlockAge);
        }
    }

    /// @dev Hash, order-check and look up the non-signers; start apk as their weighted sum.
    function _collectNonSigners(
        CheckState memory st,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) private view {
        uint256 n = params.nonSignerPubkeys.length;
        st.nonSignerIds = new bytes32[](n);
        st.nonSignerBitmaps = new uint256[](n);
        st.apk = BN254.G1Point(0, 0);
        for (uint256 j = 0; j < n; ++j) {
            BN254.G1Point memory pk = params.nonSignerPubkeys[j];
            bytes32 id = pk.hashG1Point();
            if (j != 0 && uint256(id) <= uint256(st.nonSignerIds[j - 1])) revert NonSignersNotSorted();
            st.nonSignerIds[j] = id;
            uint256 bitmap = registry.getQuorumBitmapAtBlockNumberByIndex(
                id, referenceBlockNumber, params.nonSignerQuorumBitmapIndices[j]
            ) & st.signingBitmap;
            st.nonSignerBitmaps[j] = bitmap;
            uint256 count = BitmapUtils.countOnes(bitmap);
            if (count != 0) st.apk = st.apk.plus(pk.scalarMulTiny(count));
        }
        st.apk = st.apk.negate();
    }

    /// @dev Check each quorum APK against history, add it to apk, and compute the stakes.
    function _sumQuorums(
        CheckState memory st,
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) private view returns (QuorumStakeTotals memory totals) {
        uint256 nq = quorumNumbers.length;
        totals.signedStakeForQuorum = new uint96[](nq);
        totals.totalStakeForQuorum = new uint96[](nq);
        for (uint256 i = 0; i < nq; ++i) {
            uint8 q = uint8(quorumNumbers[i]);
            BN254.G1Point memory quorumApk = params.quorumApks[i];
            bytes24 expected = registry.getApkHashAtBlockNumberByIndex(
                q, referenceBlockNumber, params.quorumApkIndices[i]
            );
            if (bytes24(quorumApk.hashG1Point()) != expected) revert QuorumApkMismatch(q);
            st.apk = st.apk.plus(quorumApk);

            uint96 total = registry.getTotalStakeAtBlockNumberFromIndex(
                q, referenceBlockNumber, params.totalStakeIndices[i]
            );
            totals.totalStakeForQuorum[i] = total;
            totals.signedStakeForQuorum[i] =
                total - _nonSignerStake(st, q, referenceBlockNumber, params.nonSignerStakeIndices[i]);
        }
    }

    /// @dev Stake of the non-signers in quorum `q`; one index per non-signer in `q`, in order.
    function _nonSignerStake(
        CheckState memory st,
        uint8 q,
        uint32 referenceBlockNumber,
        uint32[] calldata stakeIndices
    ) private view returns (uint96 stake) {
        uint256 k = 0;
        for (uint256 j = 0; j < st.nonSignerIds.length; ++j) {
            if (!BitmapUtils.isSet(st.nonSignerBitmaps[j], q)) continue;
            if (k >= stakeIndices.length) revert InputArrayLengthMismatch();
            stake += registry.getStakeAtBlockNumberAndIndex(
                q, referenceBlockNumber, st.nonSignerIds[j], stakeIndices[k++]
            );
        }
        if (k != stakeIndices.length) revert InputArrayLengthMismatch();
    }

    /// @dev gamma = keccak256(msgHash, apk, apkG2, sigma) mod r;
    ///      e(sigma + gamma*apk, -g2) * e(H(msgHash) + gamma*g1, apkG2) == 1.
    function _verifyAggregate(
        bytes32 msgHash,
        BN254.G1Point memory apk,
        BN254.G2Point calldata apkG2,
        BN254.G1Point calldata sigma
    ) private view {
        uint256 gamma = uint256(
            keccak256(
                abi.encodePacked(
                    msgHash,
                    apk.X,
                    apk.Y,
                    apkG2.X[0],
                    apkG2.X[1],
                    apkG2.Y[0],
                    apkG2.Y[1],
                    sigma.X,
                    sigma.Y
                )
            )
        ) % BN254.FR_MODULUS;
        BN254.G1Point memory s = sigma;
        BN254.G2Point memory g2 = apkG2;
        bool ok = BN254.pairingWithNegG2(
            s.plus(apk.scalarMul(gamma)),
            BN254.hashToG1(msgHash).plus(BN254.generatorG1().scalarMul(gamma)),
            g2
        );
        if (!ok) revert InvalidSignature();
    }
}
