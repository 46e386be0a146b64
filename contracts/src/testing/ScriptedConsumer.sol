// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {IResultDelivery} from "../interfaces/IResultDelivery.sol";

/// @title A consumer that behaves as told: accepts, reverts, burns all its gas, reverts with
///        200 kB of data, re-enters the task manager, or ignores the call. Tests use it to
///        show that no consumer can block certification, fees or slashing, benchmarks to
///        measure a bare delivery. Never deploy it for real use.
contract ScriptedConsumer is IInferenceConsumer {
    /// @notice What the next call does.
    enum Behaviour {
        Accept,
        Revert,
        BurnGas,
        ReturnBomb,
        Reenter,
        Ignore
    }

    /// @notice Current behaviour.
    Behaviour public behaviour;
    /// @notice Successful calls received.
    uint256 public calls;
    /// @notice Arguments of the last successful call.
    uint32 public lastTaskIndex;
    /// @notice Arguments of the last successful call.
    bytes32 public lastResultHash;
    /// @notice Arguments of the last successful call.
    bool public lastIsFinal;
    /// @notice Arguments of the last successful call.
    bytes32 public lastContext;
    /// @notice Arguments of the last successful call.
    address public lastClient;

    /// @notice Reverts on purpose.
    error Refused(uint32 taskIndex);

    /// @notice Change behaviour.
    function setBehaviour(Behaviour b) external {
        behaviour = b;
    }

    /// @notice Ask the task manager to retry a failed delivery (as the consumer).
    function retry(IResultDelivery taskManager, uint32 taskIndex, bytes calldata result) external {
        taskManager.retryDelivery(taskIndex, result);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(
        uint32 taskIndex,
        bytes32,
        address client,
        bytes32 context,
        bytes calldata result,
        bool isFinal
    ) external {
        Behaviour b = behaviour;
        if (b == Behaviour.Ignore) return; // the bare cost of a delivery (gas benchmarks)
        if (b == Behaviour.Revert) revert Refused(taskIndex);
        if (b == Behaviour.BurnGas) {
            while (true) {}
        }
        if (b == Behaviour.ReturnBomb) {
            assembly {
                revert(0, 200000)
            }
        }
        if (b == Behaviour.Reenter) {
            // a second delivery of the same task from inside the first must fail
            IResultDelivery(msg.sender).finalize(taskIndex, result);
        }
        ++calls;
        lastTaskIndex = taskIndex;
        lastResultHash = keccak256(result);
        lastIsFinal = isFinal;
        lastContext = context;
        lastClient = client;
    }
}
