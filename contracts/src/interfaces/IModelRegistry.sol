// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Types of the model registry.
interface IModelRegistryTypes {
    /// @notice A registered model.
    /// @param contentHash Content hash of the ONNX file (operators verify what they download).
    /// @param feePerInput Fee in wei per input of a task on this model.
    /// @param active Whether new tasks may use the model.
    /// @param exact Whether the model's task type is exact (bit-exact results a verifier re-executes).
    /// @param verifier On-chain re-execution of the model (IExactTaskVerifier); required for
    ///        exact task types, zero or informational otherwise.
    /// @param taskType Task type id, e.g. "onnx-classify" or "int-mlp".
    /// @param uri Where to download the model (file://, http(s)://, avs-blob://).
    struct Model {
        bytes32 contentHash;
        uint96 feePerInput;
        bool active;
        bool exact;
        address verifier;
        string taskType;
        string uri;
    }
}

/// @title Errors of the model registry.
interface IModelRegistryErrors {
    /// @notice The task type was never registered.
    error TaskTypeNotRegistered(string taskType);
    /// @notice The model id is taken (models are immutable once registered).
    error ModelAlreadyRegistered(bytes32 modelId);
    /// @notice No model has this id.
    error ModelNotFound(bytes32 modelId);
    /// @notice Model id and content hash must be non-zero.
    error ZeroHash();
    /// @notice A model of an exact task type needs a verifier to re-execute it on chain.
    error VerifierRequired(string taskType);
    /// @notice The verifier re-executes another task type than the model's.
    error VerifierTaskTypeMismatch(address verifier, string taskType);
    /// @notice The model is too big to re-execute on chain well inside a block.
    error ModelTooLargeForVerifier(uint256 parameterCount, uint256 maxParameters);
}

/// @title Events of the model registry.
interface IModelRegistryEvents {
    /// @notice A task type was registered or its exactness changed.
    event TaskTypeRegistered(string taskType, bool exact);
    /// @notice A model was registered.
    event ModelRegistered(
        bytes32 indexed modelId,
        bytes32 contentHash,
        string taskType,
        string uri,
        uint96 feePerInput,
        address verifier,
        bool exact
    );
    /// @notice A model's fee per input changed (affects new tasks only).
    event ModelFeeUpdated(bytes32 indexed modelId, uint96 feePerInput);
    /// @notice A model was (de)activated for new tasks.
    event ModelActiveSet(bytes32 indexed modelId, bool active);
}

/// @title Model id -> (ONNX content hash, task type, URI, fee per input, optional verifier).
interface IModelRegistry is IModelRegistryTypes, IModelRegistryErrors, IModelRegistryEvents {
    /// @notice Register a task type; models of `exact` types must come with an on-chain
    ///         verifier, which makes wrong results and wrong certificates provable (owner only).
    function registerTaskType(string calldata taskType, bool exact) external;

    /// @notice Register an immutable model (owner only). For an exact task type, `verifier` must
    ///         re-execute that task type and its model may have at most MAX_VERIFIED_PARAMETERS.
    function registerModel(
        bytes32 modelId,
        bytes32 contentHash,
        string calldata taskType,
        string calldata uri,
        uint96 feePerInput,
        address verifier
    ) external;

    /// @notice Change the fee per input of new tasks (owner only).
    function setModelFee(bytes32 modelId, uint96 feePerInput) external;

    /// @notice Allow or stop new tasks on a model (owner only).
    function setModelActive(bytes32 modelId, bool active) external;

    /// @notice The model record (reverts if unknown).
    function getModel(bytes32 modelId) external view returns (Model memory);

    /// @notice Fee per input and whether new tasks may use the model (one SLOAD).
    function feeQuote(bytes32 modelId) external view returns (uint96 feePerInput, bool active);

    /// @notice Most parameters a model of an exact task type may have, so that re-executing one
    ///         input in a challenge stays far below a block's gas limit.
    function MAX_VERIFIED_PARAMETERS() external view returns (uint256);

    /// @notice Whether the model's task type is exact.
    function isExact(bytes32 modelId) external view returns (bool);

    /// @notice Whether a task type is registered, and whether it is exact.
    function taskTypeInfo(string calldata taskType) external view returns (bool registered, bool exact);
}
