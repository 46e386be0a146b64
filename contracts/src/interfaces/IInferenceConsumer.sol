// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title A contract that acts on certified inference results.
/// @notice The task manager calls `onInferenceResult` once per task (twice at most when the
///         first call failed and the client or the consumer retried), with a gas cap the client
///         chose and paid for at task creation. Whatever the consumer does (revert, run out of
///         gas, return huge data) never affects certification, fees or slashing: the failure is
///         recorded in a `ResultDeliveryFailed` event and nothing else changes.
/// @dev Decode `result` with `InferenceResults` (one label byte per input; 0xFF = ABSTAIN for
///      onnx-classify). A consumer must check `msg.sender` is the task manager it trusts, and,
///      when it acts on a result that is not final, that it can live with a later overturn
///      (`ITaskManager.deliveryOf(taskIndex).state` becomes Overturned).
interface IInferenceConsumer {
    /// @notice Receive the certified result of task `taskIndex`.
    /// @param taskIndex The task.
    /// @param modelId The model that produced the result (its task type fixes the layout).
    /// @param client Who created (and paid for) the task: a consumer serving many clients must
    ///        only act on tasks of the clients it expects.
    /// @param context The opaque value the client attached at creation (e.g. an order id).
    /// @param result The certified canonical result bytes (keccak256 equals the certified hash).
    /// @param isFinal True once the result can no longer be overturned: after the challenge
    ///        window of an exact task type, or at certification of a non-exact one.
    function onInferenceResult(
        uint32 taskIndex,
        bytes32 modelId,
        address client,
        bytes32 context,
        bytes calldata result,
        bool isFinal
    ) external;
}
