// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {BitmapUtils} from "../libraries/BitmapUtils.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";

/// @title Read-only helper for aggregators and dashboards (eth_call only; never used on-chain).
/// @notice Returns operator state at a block and the history indices ("hints") a certificate
///         needs. Loops over every operator that ever registered, which is fine off-chain.
contract OperatorStateRetriever {
    /// @notice One operator's state in one quorum at a block (EigenLayer middleware's shape).
    struct Operator {
        address operator;
        bytes32 operatorId;
        uint96 stake;
    }

    /// @notice History indices for checkSignatures (same layout as the certificate's).
    struct CheckSignaturesIndices {
        uint32[] nonSignerQuorumBitmapIndices;
        uint32[] quorumApkIndices;
        uint32[] totalStakeIndices;
        uint32[][] nonSignerStakeIndices;
    }

    /// @notice One operator of some quorums at a block, everything an aggregator needs.
    struct OperatorSnapshot {
        address operator;
        bytes32 operatorId;
        BN254.G1Point pubkeyG1;
        /// Bit q set: a member of quorum q at the block (only the quorums asked for).
        uint256 quorumBitmap;
        /// Stake per asked quorum, in `quorumNumbers` order (0 where not a member).
        uint96[] stakes;
    }

    /// @notice Every operator of `quorumNumbers` at `blockNumber` (keys, membership, stakes)
    ///         and each quorum's total stake, in one call: an aggregator's snapshot of a task's
    ///         operator set. Read from the registry's own block-keyed histories, so it is
    ///         called at the latest block whatever `blockNumber` is (nodes prune old state).
    function getOperatorSetSnapshot(
        IOperatorRegistry registry,
        bytes calldata quorumNumbers,
        uint32 blockNumber
    ) external view returns (OperatorSnapshot[] memory operators, uint96[] memory totalStakes) {
        uint256 asked = BitmapUtils.orderedBytesToBitmap(quorumNumbers);
        uint256 total = registry.operatorIdCount();
        bytes32[] memory ids = new bytes32[](total);
        uint256[] memory bitmaps = new uint256[](total);
        uint256 count = 0;
        for (uint256 k = 0; k < total; ++k) {
            bytes32 id = registry.operatorIdAt(k);
            uint256 bitmap = registry.getQuorumBitmapAtBlockNumber(id, blockNumber) & asked;
            if (bitmap == 0) continue;
            ids[count] = id;
            bitmaps[count++] = bitmap;
        }
        operators = new OperatorSnapshot[](count);
        for (uint256 k = 0; k < count; ++k) {
            operators[k] = _snapshotOf(registry, ids[k], bitmaps[k], quorumNumbers, blockNumber);
        }
        totalStakes = getTotalStakes(registry, quorumNumbers, blockNumber);
    }

    function _snapshotOf(
        IOperatorRegistry registry,
        bytes32 id,
        uint256 bitmap,
        bytes calldata quorumNumbers,
        uint32 blockNumber
    ) private view returns (OperatorSnapshot memory op) {
        op.operator = registry.getOperatorFromId(id);
        op.operatorId = id;
        op.pubkeyG1 = registry.getOperatorPubkeyG1(op.operator);
        op.quorumBitmap = bitmap;
        op.stakes = new uint96[](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; ++i) {
            uint8 q = uint8(quorumNumbers[i]);
            if (BitmapUtils.isSet(bitmap, q)) {
                op.stakes[i] = registry.getStakeAtBlockNumber(id, q, blockNumber);
            }
        }
    }

    /// @notice Members of each quorum at `blockNumber`, in registration order.
    function getOperatorState(
        IOperatorRegistry registry,
        bytes calldata quorumNumbers,
        uint32 blockNumber
    ) external view returns (Operator[][] memory state) {
        uint256 total = registry.operatorIdCount();
        bytes32[] memory ids = new bytes32[](total);
        uint256[] memory bitmaps = new uint256[](total);
        for (uint256 k = 0; k < total; ++k) {
            ids[k] = registry.operatorIdAt(k);
            bitmaps[k] = registry.getQuorumBitmapAtBlockNumber(ids[k], blockNumber);
        }
        state = new Operator[][](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; ++i) {
            state[i] = _members(registry, ids, bitmaps, uint8(quorumNumbers[i]), blockNumber);
        }
    }

    function _members(
        IOperatorRegistry registry,
        bytes32[] memory ids,
        uint256[] memory bitmaps,
        uint8 q,
        uint32 blockNumber
    ) private view returns (Operator[] memory members) {
        uint256 count = 0;
        for (uint256 k = 0; k < ids.length; ++k) {
            if (BitmapUtils.isSet(bitmaps[k], q)) ++count;
        }
        members = new Operator[](count);
        uint256 n = 0;
        for (uint256 k = 0; k < ids.length; ++k) {
            if (!BitmapUtils.isSet(bitmaps[k], q)) continue;
            address operator = registry.getOperatorFromId(ids[k]);
            members[n].operator = operator;
            members[n].operatorId = ids[k];
            members[n].stake = registry.getStakeAtBlockNumber(ids[k], q, blockNumber);
            ++n;
        }
    }

    /// @notice Registered G1 public keys of `operators` (zero for an address without a key).
    function getOperatorPubkeysG1(IOperatorRegistry registry, address[] calldata operators)
        external
        view
        returns (BN254.G1Point[] memory pubkeys)
    {
        pubkeys = new BN254.G1Point[](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            pubkeys[i] = registry.getOperatorPubkeyG1(operators[i]);
        }
    }

    /// @notice The hints checkSignatures needs for these non-signers at `referenceBlockNumber`.
    /// @param nonSignerOperatorIds Strictly ascending, each registered at the reference block.
    function getCheckSignaturesIndices(
        IOperatorRegistry registry,
        uint32 referenceBlockNumber,
        bytes calldata quorumNumbers,
        bytes32[] calldata nonSignerOperatorIds
    ) external view returns (CheckSignaturesIndices memory hints) {
        uint256[] memory bitmaps;
        (hints.nonSignerQuorumBitmapIndices, bitmaps) =
            _bitmapIndices(registry, nonSignerOperatorIds, referenceBlockNumber);
        uint256 nq = quorumNumbers.length;
        hints.quorumApkIndices = new uint32[](nq);
        hints.totalStakeIndices = new uint32[](nq);
        hints.nonSignerStakeIndices = new uint32[][](nq);
        for (uint256 i = 0; i < nq; ++i) {
            uint8 q = uint8(quorumNumbers[i]);
            hints.quorumApkIndices[i] = registry.getApkIndexAtBlockNumber(q, referenceBlockNumber);
            hints.totalStakeIndices[i] = registry.getTotalStakeIndexAtBlockNumber(q, referenceBlockNumber);
            hints.nonSignerStakeIndices[i] =
                _stakeIndices(registry, nonSignerOperatorIds, bitmaps, q, referenceBlockNumber);
        }
    }

    function _bitmapIndices(IOperatorRegistry registry, bytes32[] calldata ids, uint32 referenceBlockNumber)
        private
        view
        returns (uint32[] memory indices, uint256[] memory bitmaps)
    {
        indices = new uint32[](ids.length);
        bitmaps = new uint256[](ids.length);
        for (uint256 j = 0; j < ids.length; ++j) {
            indices[j] = registry.getQuorumBitmapIndexAtBlockNumber(ids[j], referenceBlockNumber);
            bitmaps[j] = registry.getQuorumBitmapAtBlockNumberByIndex(ids[j], referenceBlockNumber, indices[j]);
        }
    }

    function _stakeIndices(
        IOperatorRegistry registry,
        bytes32[] calldata ids,
        uint256[] memory bitmaps,
        uint8 q,
        uint32 referenceBlockNumber
    ) private view returns (uint32[] memory indices) {
        uint256 count = 0;
        for (uint256 j = 0; j < ids.length; ++j) {
            if (BitmapUtils.isSet(bitmaps[j], q)) ++count;
        }
        indices = new uint32[](count);
        uint256 k = 0;
        for (uint256 j = 0; j < ids.length; ++j) {
            if (!BitmapUtils.isSet(bitmaps[j], q)) continue;
            indices[k++] = registry.getStakeIndexAtBlockNumber(ids[j], q, referenceBlockNumber);
        }
    }

    /// @notice Total stake of each quorum at `blockNumber`.
    function getTotalStakes(IOperatorRegistry registry, bytes calldata quorumNumbers, uint32 blockNumber)
        public
        view
        returns (uint96[] memory totals)
    {
        totals = new uint96[](quorumNumbers.length);
        for (uint256 i = 0; i < quorumNumbers.length; ++i) {
            uint8 q = uint8(quorumNumbers[i]);
            uint32 index = registry.getTotalStakeIndexAtBlockNumber(q, blockNumber);
            totals[i] = registry.getTotalStakeAtBlockNumberFromIndex(q, blockNumber, index);
        }
    }
}
