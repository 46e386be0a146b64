// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {BlockHistory} from "../libraries/BlockHistory.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {OperatorRegistryStorage} from "./OperatorRegistryStorage.sol";

/// @title Read access to the operator registry: current state and history at a block.
abstract contract OperatorRegistryViews is OperatorRegistryStorage {
    using BlockHistory for uint256[];

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOperatorRegistry
    function getQuorum(uint8 quorumNumber) external view returns (Quorum memory) {
        return _quorums[quorumNumber];
    }

    /// @inheritdoc IOperatorRegistry
    function getOperatorId(address operator) external view returns (bytes32) {
        return _keys[operator].operatorId;
    }

    /// @inheritdoc IOperatorRegistry
    function getOperatorFromId(bytes32 operatorId) external view returns (address) {
        return _idToOperator[operatorId];
    }

    /// @inheritdoc IOperatorRegistry
    function getOperatorPubkeyG1(address operator) external view returns (BN254.G1Point memory) {
        return _keys[operator].pubkeyG1;
    }

    /// @inheritdoc IOperatorRegistry
    function getOperatorPubkeyG2Hash(address operator) external view returns (bytes32) {
        return _keys[operator].pubkeyG2Hash;
    }

    /// @inheritdoc IOperatorRegistry
    function getCurrentQuorumBitmap(bytes32 operatorId) external view returns (uint192) {
        return _bitmapHistory[operatorId].latest();
    }

    /// @inheritdoc IOperatorRegistry
    function getCurrentApk(uint8 quorumNumber) external view returns (BN254.G1Point memory) {
        return _currentApk[quorumNumber];
    }

    /// @inheritdoc IOperatorRegistry
    function getCurrentStake(bytes32 operatorId, uint8 quorumNumber) external view returns (uint96) {
        return uint96(_stakeHistory[operatorId][quorumNumber].latest());
    }

    /// @inheritdoc IOperatorRegistry
    function getCurrentTotalStake(uint8 quorumNumber) external view returns (uint96) {
        return uint96(_totalStakeHistory[quorumNumber].latest());
    }

    /// @inheritdoc IOperatorRegistry
    function getQuorumBitmapAtBlockNumberByIndex(bytes32 operatorId, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint192)
    {
        return _bitmapHistory[operatorId].atIndex(blockNumber, index);
    }

    /// @inheritdoc IOperatorRegistry
    function getApkHashAtBlockNumberByIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (bytes24)
    {
        return bytes24(_apkHistory[quorumNumber].atIndex(blockNumber, index));
    }

    /// @inheritdoc IOperatorRegistry
    function getTotalStakeAtBlockNumberFromIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint96)
    {
        return uint96(_totalStakeHistory[quorumNumber].atIndex(blockNumber, index));
    }

    /// @inheritdoc IOperatorRegistry
    function getStakeAtBlockNumberAndIndex(
        uint8 quorumNumber,
        uint32 blockNumber,
        bytes32 operatorId,
        uint256 index
    ) external view returns (uint96) {
        return uint96(_stakeHistory[operatorId][quorumNumber].atIndex(blockNumber, index));
    }

    /// @inheritdoc IOperatorRegistry
    function getStakeAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint96)
    {
        (,, uint192 value) = _stakeHistory[operatorId][quorumNumber].search(blockNumber);
        return uint96(value);
    }

    /// @inheritdoc IOperatorRegistry
    function getQuorumBitmapAtBlockNumber(bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (uint192)
    {
        (,, uint192 value) = _bitmapHistory[operatorId].search(blockNumber);
        return value;
    }

    /// @inheritdoc IOperatorRegistry
    function getQuorumBitmapIndexAtBlockNumber(bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (uint32)
    {
        return _bitmapHistory[operatorId].indexAt(blockNumber);
    }

    /// @inheritdoc IOperatorRegistry
    function getApkIndexAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32)
    {
        return _apkHistory[quorumNumber].indexAt(blockNumber);
    }

    /// @inheritdoc IOperatorRegistry
    function getTotalStakeIndexAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32)
    {
        return _totalStakeHistory[quorumNumber].indexAt(blockNumber);
    }

    /// @inheritdoc IOperatorRegistry
    function getStakeIndexAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32)
    {
        return _stakeHistory[operatorId][quorumNumber].indexAt(blockNumber);
    }

    /// @inheritdoc IOperatorRegistry
    function getOperatorSocket(bytes32 operatorId) external view returns (string memory) {
        return _sockets[operatorId];
    }

    /// @inheritdoc IOperatorRegistry
    function operatorIdCount() external view returns (uint256) {
        return _operatorIds.length;
    }

    /// @inheritdoc IOperatorRegistry
    function operatorIdAt(uint256 i) external view returns (bytes32) {
        return _operatorIds[i];
    }
}
