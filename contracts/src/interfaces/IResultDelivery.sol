// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Types of result delivery to consumer contracts.
interface IResultDeliveryTypes {
    /// @notice When a consumer is called, fixed at task creation.
    /// @dev OnCertification: non-exact task types (no certificate can be overturned), final.
    ///      OnCertificationNotFinal: exact task type, the client chose speed over finality.
    ///      AfterChallengeWindow: exact task type, via finalize once the window closed.
    enum DeliveryMode {
        None,
        OnCertification,
        OnCertificationNotFinal,
        AfterChallengeWindow
    }

    /// @notice Where a task's delivery stands.
    /// @dev AwaitingResult: created, not certified. Certified: result hash recorded, waiting
    ///      for the challenge window. Delivered: the consumer accepted the call. FailedOnce: the
    ///      first call failed; one retry is left. Failed: both calls failed. Cancelled: the task
    ///      expired or its certificate was overturned before delivery. Overturned: delivered
    ///      (not final) and later overturned.
    enum DeliveryState {
        None,
        AwaitingResult,
        Certified,
        Delivered,
        FailedOnce,
        Failed,
        Cancelled,
        Overturned
    }

    /// @notice What the client asks for at creation.
    /// @param consumer Contract implementing IInferenceConsumer.
    /// @param callbackGasLimit Gas given to the callback (1..MAX_CALLBACK_GAS).
    /// @param deliverBeforeFinal For exact task types: call at certification with isFinal =
    ///        false instead of after the challenge window (ignored for non-exact types).
    /// @param context Opaque value passed back to the consumer.
    struct ConsumerRequest {
        address consumer;
        uint32 callbackGasLimit;
        bool deliverBeforeFinal;
        bytes32 context;
    }

    /// @notice Stored delivery of one task (two slots).
    /// @param consumer The contract called.
    /// @param callbackGasLimit Gas given to the callback.
    /// @param finalBlock deadlineBlock + challengeWindowBlocks: AfterChallengeWindow delivers
    ///        only after it.
    /// @param mode When the consumer is called.
    /// @param state Where the delivery stands.
    /// @param bounty Wei the client escrowed for whoever makes the first delivery attempt.
    /// @param client The task's client (may retry a failed delivery).
    struct Delivery {
        address consumer;
        uint32 callbackGasLimit;
        uint32 finalBlock;
        DeliveryMode mode;
        DeliveryState state;
        uint96 bounty;
        address client;
    }
}

/// @title Errors of result delivery.
interface IResultDeliveryErrors {
    /// @notice The consumer has no code.
    error ConsumerNotAContract(address consumer);
    /// @notice callbackGasLimit must be in 1..MAX_CALLBACK_GAS.
    error InvalidCallbackGasLimit(uint32 callbackGasLimit, uint32 maxCallbackGas);
    /// @notice msg.value must cover the fee; the rest (the bounty) must fit in uint96.
    error InvalidDeliveryEscrow(uint256 fee, uint256 sent);
    /// @notice The task has a consumer: certify it with respondToTaskWithResult.
    error ResultBytesRequired(uint32 taskIndex);
    /// @notice The task has no consumer: certify it with respondToTask.
    error NoConsumer(uint32 taskIndex);
    /// @notice The result bytes do not hash to the certified result hash.
    error ResultHashMismatch(uint32 taskIndex);
    /// @notice The delivery cannot be made in its current state (not certified, not deferred,
    ///         already delivered, cancelled, or the retry was used).
    error NotDeliverable(uint32 taskIndex, IResultDeliveryTypes.DeliveryState state);
    /// @notice Only the task's client or its consumer may retry a failed delivery.
    error NotClientOrConsumer(address caller);
    /// @notice A deferred delivery waits until after deadlineBlock + challengeWindowBlocks.
    error DeliveryWindowOpen(uint32 taskIndex, uint32 finalBlock);
}

/// @title Events of result delivery.
interface IResultDeliveryEvents {
    /// @notice A task was created with a consumer; `bounty` wei is escrowed for delivery.
    event ConsumerRequested(
        uint32 indexed taskIndex,
        address indexed consumer,
        uint32 callbackGasLimit,
        IResultDeliveryTypes.DeliveryMode mode,
        bytes32 context,
        uint96 bounty
    );
    /// @notice The certified result bytes of a task with a consumer (what finalize needs).
    event ResultPublished(uint32 indexed taskIndex, bytes32 resultHash, bytes result);
    /// @notice The consumer accepted the result.
    event ResultDelivered(uint32 indexed taskIndex, address indexed consumer, bool isFinal);
    /// @notice The consumer's call failed (revert, out of gas); `reason` is its returndata, cut
    ///         to MAX_REASON_BYTES. `retryable` says whether one retry is left.
    event ResultDeliveryFailed(
        uint32 indexed taskIndex, address indexed consumer, bytes reason, bool retryable
    );
    /// @notice The delivery will never happen (expired or overturned task); bounty refunded.
    event DeliveryCancelled(uint32 indexed taskIndex, uint96 bountyRefunded);
}

/// @title Delivery of certified results to consumer contracts (part of the task manager).
interface IResultDelivery is IResultDeliveryTypes, IResultDeliveryErrors, IResultDeliveryEvents {
    /// @notice Deliver the result of an AfterChallengeWindow task once its challenge window
    ///         closed without an overturn (anyone; the caller is credited the bounty).
    /// @param result The certified result bytes (from the ResultPublished event).
    function finalize(uint32 taskIndex, bytes calldata result) external;

    /// @notice Call the consumer once more after a failed delivery (the task's client or
    ///         consumer only; at most once).
    function retryDelivery(uint32 taskIndex, bytes calldata result) external;

    /// @notice The stored delivery of a task (state None: the task has no consumer).
    function deliveryOf(uint32 taskIndex) external view returns (Delivery memory);

    /// @notice The model and the client's context of a task with a consumer.
    function deliveryContext(uint32 taskIndex) external view returns (bytes32 modelId, bytes32 context);

    /// @notice The result hash certified for a task with a consumer (zero before).
    function deliveryResultHash(uint32 taskIndex) external view returns (bytes32);

    /// @notice Most gas a client may give a callback.
    function MAX_CALLBACK_GAS() external view returns (uint32);
}
