// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title On-chain re-execution of one input of an exact task type, for one committed model.
/// @notice The model registry requires one for every model of an exact task type; the slashing
///         manager calls it to decide wrong-result and wrong-certificate evidence.
interface IExactTaskVerifier {
    /// @notice The task type this verifier re-executes, e.g. "int-mlp".
    function taskType() external view returns (string memory);

    /// @notice keccak256 of the canonical model encoding this verifier accepts.
    function modelCommitment() external view returns (bytes32);

    /// @notice Size of the committed model in parameters (the registry bounds it).
    function parameterCount() external view returns (uint256);

    /// @notice Bytes of the canonical result per input.
    function resultEntrySize() external view returns (uint256);

    /// @notice The canonical result entry of one input, computed on chain.
    /// @param model The canonical model encoding (must hash to modelCommitment()).
    /// @param input The input's canonical bytes (its Merkle leaf).
    function recompute(bytes calldata model, bytes calldata input)
        external
        view
        returns (bytes memory entry);
}
