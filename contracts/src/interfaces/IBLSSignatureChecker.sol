// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";

/// @title Types of the certificate checker (EigenLayer BLSSignatureChecker shapes).
interface IBLSSignatureCheckerTypes {
    /// @notice A quorum certificate: aggregate signature, keys and history hints.
    /// @param nonSignerQuorumBitmapIndices Per non-signer: bitmap history index at the reference block.
    /// @param nonSignerPubkeys G1 keys of the non-signers, strictly ascending by operator id.
    /// @param quorumApks Per quorum: its aggregate G1 key at the reference block.
    /// @param apkG2 Sum of the signers' G2 keys (one term per signed quorum membership).
    /// @param sigma Aggregate signature.
    /// @param quorumApkIndices Per quorum: APK history index at the reference block.
    /// @param totalStakeIndices Per quorum: total stake history index at the reference block.
    /// @param nonSignerStakeIndices Per quorum, per non-signer in that quorum (in order): stake history index.
    struct NonSignerStakesAndSignature {
        uint32[] nonSignerQuorumBitmapIndices;
        BN254.G1Point[] nonSignerPubkeys;
        BN254.G1Point[] quorumApks;
        BN254.G2Point apkG2;
        BN254.G1Point sigma;
        uint32[] quorumApkIndices;
        uint32[] totalStakeIndices;
        uint32[][] nonSignerStakeIndices;
    }

    /// @notice Signed and total stake per quorum, in the order of the quorum numbers.
    struct QuorumStakeTotals {
        uint96[] signedStakeForQuorum;
        uint96[] totalStakeForQuorum;
    }
}

/// @title Errors of the certificate checker.
interface IBLSSignatureCheckerErrors {
    /// @notice Certificate arrays do not match the number of quorums or non-signers.
    error InputArrayLengthMismatch();
    /// @notice The reference block must be strictly before the current block.
    error ReferenceBlockNotInPast(uint32 referenceBlock, uint256 currentBlock);
    /// @notice The reference block is older than maxReferenceBlockAge blocks.
    error StaleReferenceBlock(uint32 referenceBlock, uint256 currentBlock, uint32 maxAge);
    /// @notice Non-signer keys must be strictly ascending by operator id.
    error NonSignersNotSorted();
    /// @notice The quorum APK given does not match the registry's history.
    error QuorumApkMismatch(uint8 quorumNumber);
    /// @notice The aggregate signature does not verify against the message and keys.
    error InvalidSignature();
}

/// @title Quorum certificate checker (DESIGN.md section 3).
interface IBLSSignatureChecker is IBLSSignatureCheckerTypes, IBLSSignatureCheckerErrors {
    /// @notice Verify a certificate on `msgHash` for `quorumNumbers` at `referenceBlockNumber`.
    /// @return totals Signed and total stake per quorum.
    /// @return signatoryRecordHash keccak256(abi.encodePacked(referenceBlockNumber, nonSignerIds)).
    function checkSignatures(
        bytes32 msgHash,
        bytes calldata quorumNumbers,
        uint32 referenceBlockNumber,
        NonSignerStakesAndSignature calldata params
    ) external view returns (QuorumStakeTotals memory totals, bytes32 signatoryRecordHash);
}
