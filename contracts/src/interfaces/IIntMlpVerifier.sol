// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IExactTaskVerifier} from "./IExactTaskVerifier.sol";

/// @title Errors of the int-mlp verifier.
interface IIntMlpVerifierErrors {
    /// @notice The model bytes are not a valid canonical int-mlp encoding; `offset` is where
    ///         parsing stopped.
    error MalformedModel(uint256 offset);
    /// @notice Some pre-activation could leave int32 for byte inputs (layer, output neuron).
    error Int32OverflowPossible(uint256 layer, uint256 neuron);
    /// @notice The model bytes differ from the committed model.
    error ModelMismatch(bytes32 given, bytes32 committed);
    /// @notice The input does not have the model's input width.
    error InputWidthMismatch(uint256 given, uint256 expected);
}

/// @title Events of the int-mlp verifier.
interface IIntMlpVerifierEvents {
    /// @notice The committed model, published once at deployment so any watcher can fetch the
    ///         exact bytes a challenge must supply (keccak256(model) == commitment).
    event ModelCommitted(bytes32 indexed commitment, bytes model);
}

/// @title Re-executes the `int-mlp` task type (avs/tasks/int_mlp_reference.py) for one model.
/// @notice Canonical model encoding (avs/tasks/int_mlp_weights.py), big-endian:
///         version (uint8 = 1), layerCount (uint8), inputWidth (uint16), then per layer
///         outWidth (uint16), shift (uint8), clip (int32; -1 marks the output layer, the last),
///         outWidth int32 biases, and outWidth x inWidth int8 weights, one output neuron's
///         weights after another. Inputs are inputWidth bytes; the result entry is one label
///         byte: argmax of the output layer, the first index on ties.
interface IIntMlpVerifier is IExactTaskVerifier, IIntMlpVerifierErrors, IIntMlpVerifierEvents {
    /// @notice Width of one input (bytes).
    function inputWidth() external view returns (uint256);

    /// @notice The label the model assigns to `input` (reverts unless `model` is the committed one).
    function label(bytes calldata model, bytes calldata input) external view returns (uint8);
}
