// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {InferenceResults} from "../libraries/InferenceResults.sol";

/// @title Example consumer: a public registry of classifier verdicts.
/// @notice Records, for every task delivered to it, the majority label over the task's inputs
///         (ABSTAIN never wins), how many inputs voted for it and how many abstained, and
///         counts verdicts per label. A DAO or a dashboard reads `verdictOf(taskIndex)`.
/// @dev Accepts not-final results too and says so in the record; a reader that must not act on
///      an overturnable verdict checks `isFinal` (or the task manager's deliveryOf).
contract VerdictRegistry is IInferenceConsumer {
    /// @notice One task's verdict.
    /// @param recorded Whether a verdict exists for the task.
    /// @param isFinal Whether it can no longer be overturned.
    /// @param label The majority label (ABSTAIN when every input abstained).
    /// @param votes Inputs with that label.
    /// @param inputs Inputs in the task.
    /// @param abstained Inputs the operators abstained on.
    /// @param modelId The model that produced it.
    struct Verdict {
        bool recorded;
        bool isFinal;
        uint8 label;
        uint32 votes;
        uint32 inputs;
        uint32 abstained;
        bytes32 modelId;
    }

    /// @notice The task manager whose deliveries this contract trusts.
    address public immutable taskManager;
    /// @notice Verdicts by task index.
    mapping(uint32 => Verdict) public verdictOf;
    /// @notice Verdicts recorded per label.
    mapping(uint8 => uint256) public verdictsForLabel;
    /// @notice Verdicts recorded in total.
    uint256 public verdictCount;

    /// @notice A verdict was recorded.
    event VerdictRecorded(uint32 indexed taskIndex, uint8 label, uint32 votes, uint32 inputs, bool isFinal);

    /// @notice Only the task manager delivers results.
    error OnlyTaskManager();
    /// @notice A task's verdict is recorded once.
    error AlreadyRecorded(uint32 taskIndex);

    /// @param taskManager_ The task manager that calls `onInferenceResult`.
    constructor(address taskManager_) {
        taskManager = taskManager_;
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(
        uint32 taskIndex,
        bytes32 modelId,
        address, /* client: anyone may have a verdict recorded */
        bytes32, /* context */
        bytes calldata result,
        bool isFinal
    ) external {
        if (msg.sender != taskManager) revert OnlyTaskManager();
        if (verdictOf[taskIndex].recorded) revert AlreadyRecorded(taskIndex);
        (uint8 label, uint256 votes) = InferenceResults.majorityLabel(result);
        verdictOf[taskIndex] = Verdict({
            recorded: true,
            isFinal: isFinal,
            label: label,
            votes: uint32(votes),
            inputs: uint32(result.length),
            abstained: uint32(InferenceResults.countAbstained(result)),
            modelId: modelId
        });
        ++verdictsForLabel[label];
        ++verdictCount;
        emit VerdictRecorded(taskIndex, label, uint32(votes), uint32(result.length), isFinal);
    }
}
