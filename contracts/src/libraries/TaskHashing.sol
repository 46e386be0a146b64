// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title The protocol's digest encodings (mirrored byte for byte by avs/protocol.py).
library TaskHashing {
    /// @notice Outcome value of a refunded task.
    bytes32 internal constant REFUNDED = bytes32(uint256(1));
    /// @notice Outcome value of a task whose certificate was proven wrong and overturned.
    bytes32 internal constant OVERTURNED = bytes32(uint256(2));

    /// @notice What operators sign: keccak256(abi.encode(taskHash, resultHash)).
    function messageHash(bytes32 taskHash, bytes32 resultHash) internal pure returns (bytes32) {
        return keccak256(abi.encode(taskHash, resultHash));
    }

    /// @notice Commitment to a certified outcome.
    function certificationHash(
        bytes32 resultHash,
        bytes32 signatories,
        uint96[] memory signedStake
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(resultHash, signatories, signedStake));
    }

    /// @notice Stored record of a settled task: keccak256(abi.encode(taskHash, outcome)).
    function outcomeRecord(bytes32 taskHash, bytes32 outcome) internal pure returns (bytes32) {
        return keccak256(abi.encode(taskHash, outcome));
    }

    /// @notice keccak256(abi.encodePacked(referenceBlock, nonSignerIds)) (EigenLayer's).
    function signatoryRecordHash(uint32 referenceBlock, bytes32[] memory nonSignerIds)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encodePacked(referenceBlock, nonSignerIds));
    }
}
