// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Decoding of certified result bytes, per task type (mirrors avs/tasks/*).
/// @notice Both built-in task types certify one label byte per input, in input order:
///         `int-mlp` (exact) labels are 0..254; `onnx-classify` labels are 0..254 or ABSTAIN
///         (0xFF) where the model's top-2 margin was too small to be reproducible. Consumers
///         call `layoutOf` once (at deployment, with the model's task type) and then the
///         helpers below on each delivered result.
library InferenceResults {
    /// @notice The byte an onnx-classify operator certifies for an input it abstained on.
    uint8 internal constant ABSTAIN = 0xFF;
    /// @notice Largest real label.
    uint8 internal constant MAX_LABEL = 0xFE;

    /// @notice How a task type lays out its result bytes.
    enum Layout {
        /// one label byte per input, never ABSTAIN (int-mlp)
        Labels,
        /// one label byte per input, or ABSTAIN (onnx-classify)
        LabelsOrAbstain
    }

    /// @notice No decoder for this task type.
    error UnknownTaskType(string taskType);
    /// @notice The result is malformed for its layout (ABSTAIN in an exact result).
    error MalformedResult(uint256 index);
    /// @notice An input index past the end of the result.
    error IndexOutOfRange(uint256 index, uint256 count);

    /// @notice The layout of a task type's results (reverts for unknown task types).
    function layoutOf(string memory taskType) internal pure returns (Layout) {
        bytes32 id = keccak256(bytes(taskType));
        if (id == keccak256("int-mlp")) return Layout.Labels;
        if (id == keccak256("onnx-classify")) return Layout.LabelsOrAbstain;
        revert UnknownTaskType(taskType);
    }

    /// @notice Number of inputs the result covers.
    function inputCount(bytes calldata result) internal pure returns (uint256) {
        return result.length;
    }

    /// @notice Label of input `index`; `abstained` is true (and label ABSTAIN) where the
    ///         operators abstained.
    function labelAt(bytes calldata result, uint256 index, Layout layout)
        internal
        pure
        returns (uint8 label, bool abstained)
    {
        if (index >= result.length) revert IndexOutOfRange(index, result.length);
        label = uint8(result[index]);
        abstained = label == ABSTAIN;
        if (abstained && layout == Layout.Labels) revert MalformedResult(index);
    }

    /// @notice How many inputs got exactly label `target` (abstentions never match).
    function countLabel(bytes calldata result, uint8 target) internal pure returns (uint256 n) {
        if (target > MAX_LABEL) return 0;
        for (uint256 i = 0; i < result.length; ++i) {
            if (uint8(result[i]) == target) ++n;
        }
    }

    /// @notice How many inputs the operators abstained on.
    function countAbstained(bytes calldata result) internal pure returns (uint256 n) {
        for (uint256 i = 0; i < result.length; ++i) {
            if (uint8(result[i]) == ABSTAIN) ++n;
        }
    }

    /// @notice The most frequent real label (lowest on ties) and its count; (ABSTAIN, 0) when
    ///         every input abstained or the result is empty.
    function majorityLabel(bytes calldata result) internal pure returns (uint8 label, uint256 count) {
        uint256[256] memory counts;
        for (uint256 i = 0; i < result.length; ++i) {
            ++counts[uint8(result[i])];
        }
        label = ABSTAIN;
        for (uint256 l = 0; l <= MAX_LABEL; ++l) {
            if (counts[l] > count) {
                count = counts[l];
                label = uint8(l);
            }
        }
    }
}
