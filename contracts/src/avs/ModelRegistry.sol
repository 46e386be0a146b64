// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IExactTaskVerifier} from "../interfaces/IExactTaskVerifier.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";

/// @title Registry of models and task types, curated by the AVS owner.
/// @notice A model is immutable once registered (content hash, task type, URI, verifier):
///         past tasks keep their meaning. Only its fee and whether it takes new tasks change.
///         Exactness belongs to the task type; every model of an exact type names a verifier
///         that re-executes it on chain, which is what makes wrong results provable.
/// @dev Storage: _taskTypes[keccak256(name)] (registered, exact); _models[id]: slot 0
///      contentHash, slot 1 feePerInput|active|exact (read by createTask in one SLOAD), slot 2
///      verifier, slots 3-4 taskType, uri.
contract ModelRegistry is IModelRegistry, Ownable {
    struct TaskTypeInfo {
        bool registered;
        bool exact;
    }

    /// @inheritdoc IModelRegistry
    uint256 public constant MAX_VERIFIED_PARAMETERS = 16_384;

    mapping(bytes32 => TaskTypeInfo) private _taskTypes;
    mapping(bytes32 => Model) private _models;

    /// @param owner_ Curates task types and models.
    constructor(address owner_) Ownable(owner_) {}

    /// @inheritdoc IModelRegistry
    function registerTaskType(string calldata taskType, bool exact) external onlyOwner {
        _taskTypes[keccak256(bytes(taskType))] = TaskTypeInfo(true, exact);
        emit TaskTypeRegistered(taskType, exact);
    }

    /// @inheritdoc IModelRegistry
    function registerModel(
        bytes32 modelId,
        bytes32 contentHash,
        string calldata taskType,
        string calldata uri,
        uint96 feePerInput,
        address verifier
    ) external onlyOwner {
        if (modelId == bytes32(0) || contentHash == bytes32(0)) revert ZeroHash();
        if (_models[modelId].contentHash != bytes32(0)) revert ModelAlreadyRegistered(modelId);
        TaskTypeInfo memory info = _taskTypes[keccak256(bytes(taskType))];
        if (!info.registered) revert TaskTypeNotRegistered(taskType);
        if (info.exact) _checkVerifier(verifier, taskType);
        _models[modelId] = Model(contentHash, feePerInput, true, info.exact, verifier, taskType, uri);
        emit ModelRegistered(modelId, contentHash, taskType, uri, feePerInput, verifier, info.exact);
    }

    function _checkVerifier(address verifier, string calldata taskType) private view {
        if (verifier == address(0)) revert VerifierRequired(taskType);
        IExactTaskVerifier v = IExactTaskVerifier(verifier);
        if (keccak256(bytes(v.taskType())) != keccak256(bytes(taskType))) {
            revert VerifierTaskTypeMismatch(verifier, taskType);
        }
        uint256 params = v.parameterCount();
        if (params > MAX_VERIFIED_PARAMETERS) {
            revert ModelTooLargeForVerifier(params, MAX_VERIFIED_PARAMETERS);
        }
    }

    /// @inheritdoc IModelRegistry
    function setModelFee(bytes32 modelId, uint96 feePerInput) external onlyOwner {
        _existing(modelId).feePerInput = feePerInput;
        emit ModelFeeUpdated(modelId, feePerInput);
    }

    /// @inheritdoc IModelRegistry
    function setModelActive(bytes32 modelId, bool active) external onlyOwner {
        _existing(modelId).active = active;
        emit ModelActiveSet(modelId, active);
    }

    function _existing(bytes32 modelId) private view returns (Model storage m) {
        m = _models[modelId];
        if (m.contentHash == bytes32(0)) revert ModelNotFound(modelId);
    }

    /// @inheritdoc IModelRegistry
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _existing(modelId);
    }

    /// @inheritdoc IModelRegistry
    function feeQuote(bytes32 modelId) external view returns (uint96 feePerInput, bool active) {
        Model storage m = _models[modelId];
        return (m.feePerInput, m.active);
    }

    /// @inheritdoc IModelRegistry
    function isExact(bytes32 modelId) external view returns (bool) {
        return _models[modelId].exact;
    }

    /// @inheritdoc IModelRegistry
    function taskTypeInfo(string calldata taskType)
        external
        view
        returns (bool registered, bool exact)
    {
        TaskTypeInfo memory info = _taskTypes[keccak256(bytes(taskType))];
        return (info.registered, info.exact);
    }
}
