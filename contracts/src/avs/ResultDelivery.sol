// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {CappedCall} from "../libraries/CappedCall.sol";
import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IResultDelivery} from "../interfaces/IResultDelivery.sol";

/// @title Delivery of certified result bytes to consumer contracts (inherited by TaskManager).
/// @notice Lives in the task manager itself, so a delivery is gated by the same record that
///         settles fees and overturns: no second contract has to be trusted to mirror it.
///         Certification, fees and slashing never depend on a consumer: the callback is a
///         low-level call with the gas the client chose (and the transaction must be able to
///         give it all of it), at most MAX_REASON_BYTES of its returndata are copied, and a
///         failure is only recorded (`ResultDeliveryFailed`), with one retry left to the client
///         or the consumer. The client escrows a bounty at creation that is credited to whoever
///         makes the first delivery attempt (the certifying aggregator, or the finalize caller),
///         paying for the callback's gas; an expired or overturned task gets it back.
/// @dev Storage per task with a consumer: _deliveries (two slots), _deliveryModel, _contexts
///      (only when non-zero), deliveryResultHash (written at certification).
abstract contract ResultDelivery is IResultDelivery {
    /// @inheritdoc IResultDelivery
    uint32 public constant MAX_CALLBACK_GAS = 2_500_000;
    /// @notice Most bytes of a failed callback's returndata copied into ResultDeliveryFailed.
    uint256 public constant MAX_REASON_BYTES = 256;

    mapping(uint32 => Delivery) private _deliveries;
    mapping(uint32 => bytes32) private _deliveryModel;
    mapping(uint32 => bytes32) private _contexts;
    /// @inheritdoc IResultDelivery
    mapping(uint32 => bytes32) public deliveryResultHash;

    /// @dev Credit `amount` wei to `account` (pull payment).
    function _credit(address account, uint256 amount) internal virtual;

    /// @dev Record the consumer of a task being created.
    function _requestDelivery(
        uint32 taskIndex,
        bytes32 modelId,
        ConsumerRequest calldata request,
        bool exact,
        uint32 finalBlock,
        uint96 bounty
    ) internal {
        if (request.consumer.code.length == 0) revert ConsumerNotAContract(request.consumer);
        uint32 gasLimit = request.callbackGasLimit;
        if (gasLimit == 0 || gasLimit > MAX_CALLBACK_GAS) {
            revert InvalidCallbackGasLimit(gasLimit, MAX_CALLBACK_GAS);
        }
        DeliveryMode mode = !exact
            ? DeliveryMode.OnCertification
            : request.deliverBeforeFinal ? DeliveryMode.OnCertificationNotFinal : DeliveryMode.AfterChallengeWindow;
        _deliveries[taskIndex] = Delivery({
            consumer: request.consumer,
            callbackGasLimit: gasLimit,
            finalBlock: finalBlock,
            mode: mode,
            state: DeliveryState.AwaitingResult,
            bounty: bounty,
            client: msg.sender
        });
        _deliveryModel[taskIndex] = modelId;
        if (request.context != bytes32(0)) _contexts[taskIndex] = request.context;
        emit ConsumerRequested(taskIndex, request.consumer, gasLimit, mode, request.context, bounty);
    }

    /// @dev Whether a task has a consumer (plain certification must then be refused).
    function _hasConsumer(uint32 taskIndex) internal view returns (bool) {
        return _deliveries[taskIndex].state != DeliveryState.None;
    }

    /// @dev After certification of a task with a consumer: record the result hash, publish the
    ///      bytes, and deliver now unless the consumer waits for the challenge window.
    function _onCertified(uint32 taskIndex, bytes32 resultHash, bytes calldata result) internal {
        Delivery storage d = _deliveries[taskIndex];
        if (d.state != DeliveryState.AwaitingResult) revert NoConsumer(taskIndex);
        deliveryResultHash[taskIndex] = resultHash;
        emit ResultPublished(taskIndex, resultHash, result);
        if (d.mode == DeliveryMode.AfterChallengeWindow) {
            d.state = DeliveryState.Certified;
        } else {
            _attempt(taskIndex, d, result);
        }
    }

    /// @dev The task expired or was overturned: no delivery will follow; returns the bounty
    ///      still escrowed (the caller pays it back to the client).
    function _cancelDelivery(uint32 taskIndex) internal returns (uint96 bounty) {
        Delivery storage d = _deliveries[taskIndex];
        DeliveryState state = d.state;
        if (state == DeliveryState.None) return 0;
        bounty = d.bounty;
        d.bounty = 0;
        // a consumer that took a not-final result learns of the overturn from deliveryOf
        d.state = state == DeliveryState.AwaitingResult || state == DeliveryState.Certified
            ? DeliveryState.Cancelled
            : DeliveryState.Overturned;
        emit DeliveryCancelled(taskIndex, bounty);
    }

    /// @dev finalize: a deferred delivery after the challenge window.
    function _finalize(uint32 taskIndex, bytes calldata result) internal {
        Delivery storage d = _deliveries[taskIndex];
        if (d.state != DeliveryState.Certified) revert NotDeliverable(taskIndex, d.state);
        if (block.number <= d.finalBlock) revert DeliveryWindowOpen(taskIndex, d.finalBlock);
        _checkResult(taskIndex, result);
        _attempt(taskIndex, d, result);
    }

    /// @dev retryDelivery: the second and last call after a failed one.
    function _retry(uint32 taskIndex, bytes calldata result) internal {
        Delivery storage d = _deliveries[taskIndex];
        if (d.state != DeliveryState.FailedOnce) revert NotDeliverable(taskIndex, d.state);
        if (msg.sender != d.client && msg.sender != d.consumer) revert NotClientOrConsumer(msg.sender);
        _checkResult(taskIndex, result);
        _attempt(taskIndex, d, result);
    }

    function _checkResult(uint32 taskIndex, bytes calldata result) private view {
        if (keccak256(result) != deliveryResultHash[taskIndex]) revert ResultHashMismatch(taskIndex);
    }

    /// @dev One call of the consumer. The state moves to Delivered before the call, so a
    ///      consumer re-entering finalize or retryDelivery finds nothing to deliver (the public
    ///      entry points are nonReentrant as well); only a failure is written after it.
    function _attempt(uint32 taskIndex, Delivery storage d, bytes calldata result) private {
        bool first = d.state != DeliveryState.FailedOnce;
        d.state = DeliveryState.Delivered;
        if (first && d.bounty != 0) {
            uint96 bounty = d.bounty;
            d.bounty = 0;
            _credit(msg.sender, bounty);
        }
        bool isFinal = d.mode == DeliveryMode.OnCertification || block.number > d.finalBlock;
        address consumer = d.consumer;
        bytes memory data = abi.encodeCall(
            IInferenceConsumer.onInferenceResult,
            (taskIndex, _deliveryModel[taskIndex], d.client, _contexts[taskIndex], result, isFinal)
        );
        (bool ok, bytes memory reason) = CappedCall.call(consumer, d.callbackGasLimit, data, MAX_REASON_BYTES);
        if (ok) {
            emit ResultDelivered(taskIndex, consumer, isFinal);
        } else {
            d.state = first ? DeliveryState.FailedOnce : DeliveryState.Failed;
            emit ResultDeliveryFailed(taskIndex, consumer, reason, first);
        }
    }

    /// @inheritdoc IResultDelivery
    function deliveryOf(uint32 taskIndex) external view returns (Delivery memory) {
        return _deliveries[taskIndex];
    }

    /// @inheritdoc IResultDelivery
    function deliveryContext(uint32 taskIndex) external view returns (bytes32 modelId, bytes32 context) {
        return (_deliveryModel[taskIndex], _contexts[taskIndex]);
    }
}
