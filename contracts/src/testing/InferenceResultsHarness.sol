// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {InferenceResults} from "../libraries/InferenceResults.sol";

/// @title Exposes InferenceResults to tests (the library is internal). Never deploy it for
///        real use.
contract InferenceResultsHarness {
    /// @notice InferenceResults.layoutOf.
    function layoutOf(string calldata taskType) external pure returns (InferenceResults.Layout) {
        return InferenceResults.layoutOf(taskType);
    }

    /// @notice InferenceResults.labelAt with the layout of `taskType`.
    function labelAt(string calldata taskType, bytes calldata result, uint256 index)
        external
        pure
        returns (uint8 label, bool abstained)
    {
        return InferenceResults.labelAt(result, index, InferenceResults.layoutOf(taskType));
    }

    /// @notice InferenceResults.countLabel, countAbstained and majorityLabel at once.
    function counts(bytes calldata result, uint8 target)
        external
        pure
        returns (uint256 matches, uint256 abstained, uint8 majority, uint256 votes)
    {
        matches = InferenceResults.countLabel(result, target);
        abstained = InferenceResults.countAbstained(result);
        (majority, votes) = InferenceResults.majorityLabel(result);
    }
}
