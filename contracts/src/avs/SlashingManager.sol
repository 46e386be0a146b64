// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {BN254} from "../libraries/BN254.sol";
import {TaskHashing} from "../libraries/TaskHashing.sol";
import {ITaskManager, ITaskManagerTypes} from "../interfaces/ITaskManager.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IServiceManager} from "../interfaces/IServiceManager.sol";
import {ISlashingManager} from "../interfaces/ISlashingManager.sol";

/// @title Verifies fault evidence against operators' registered G2 keys and slashes.
/// @notice Faults (DESIGN.md section 7): equivocation (two valid signatures by one operator on
///         different results of one task) and, on exact task types, dissent (a valid signature
///         on a result other than the certified one). Evidence is accepted until
///         deadlineBlock + challengeWindowBlocks; deployment keeps that inside the withdrawal
///         and deallocation delays, so the stake that backed the task is still there. The
///         operator is slashed in every task quorum where it had stake at the reference block,
///         at most once per (task, operator, fault).
/// @dev Storage: equivocationSlashWad, dissentSlashWad (one slot), _slashed[key].
contract SlashingManager is ISlashingManager, Ownable {
    using BN254 for BN254.G1Point;

    /// @notice Source of task records.
    ITaskManager public immutable taskManager;
    /// @notice Source of keys and stake history.
    IOperatorRegistry public immutable registry;
    /// @notice Source of task type exactness.
    IModelRegistry public immutable modelRegistry;
    /// @notice The AVS, the only path into slashOperator.
    IServiceManager public immutable serviceManager;
    /// @notice Blocks after a task's deadline during which evidence is accepted.
    uint32 public immutable challengeWindowBlocks;

    /// @notice Fraction slashed for equivocation (1e18 = 100%).
    uint64 public equivocationSlashWad;
    /// @notice Fraction slashed for dissent (1e18 = 100%).
    uint64 public dissentSlashWad;
    mapping(bytes32 => bool) private _slashed;

    /// @param taskManager_ The task manager.
    /// @param registry_ The operator registry.
    /// @param serviceManager_ The service manager (this contract must be its slasher).
    /// @param modelRegistry_ The model registry.
    /// @param challengeWindowBlocks_ Evidence window after each task's deadline.
    /// @param equivocationWad Initial equivocation slash fraction.
    /// @param dissentWad Initial dissent slash fraction.
    /// @param owner_ May change the fractions.
    constructor(
        ITaskManager taskManager_,
        IOperatorRegistry registry_,
        IServiceManager serviceManager_,
        IModelRegistry modelRegistry_,
        uint32 challengeWindowBlocks_,
        uint64 equivocationWad,
        uint64 dissentWad,
        address owner_
    ) Ownable(owner_) {
        taskManager = taskManager_;
        registry = registry_;
        serviceManager = serviceManager_;
        modelRegistry = modelRegistry_;
        challengeWindowBlocks = challengeWindowBlocks_;
        _setSlashAmounts(equivocationWad, dissentWad);
    }

    /// @inheritdoc ISlashingManager
    function setSlashAmounts(uint64 equivocationWad, uint64 dissentWad) external onlyOwner {
        _setSlashAmounts(equivocationWad, dissentWad);
    }

    function _setSlashAmounts(uint64 equivocationWad, uint64 dissentWad) private {
        if (equivocationWad == 0 || equivocationWad > 1e18 || dissentWad == 0 || dissentWad > 1e18) {
            revert InvalidSlashAmount();
        }
        equivocationSlashWad = equivocationWad;
        dissentSlashWad = dissentWad;
        emit SlashAmountsUpdated(equivocationWad, dissentWad);
    }

    /// @inheritdoc ISlashingManager
    function slashEquivocation(
        ITaskManagerTypes.Task calldata task,
        bytes32 outcome,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata first,
        SignedResult calldata second
    ) external returns (uint256) {
        bytes32 th = taskManager.verifyTaskOutcome(task, outcome);
        if (first.resultHash == second.resultHash) revert SameResult();
        _verifyEvidence(th, pubkeyG2, first);
        _verifyEvidence(th, pubkeyG2, second);
        return _slash(task, operator, pubkeyG2, Fault.Equivocation, equivocationSlashWad);
    }

    /// @inheritdoc ISlashingManager
    function slashDissent(
        ITaskManagerTypes.Task calldata task,
        Certification calldata certification,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata evidence
    ) external returns (uint256) {
        if (!modelRegistry.isExact(task.modelId)) revert TaskTypeNotExact(task.modelId);
        bytes32 outcome = TaskHashing.certificationHash(
            certification.resultHash, certification.signatoryRecordHash, certification.signedStake
        );
        bytes32 th = taskManager.verifyTaskOutcome(task, outcome);
        if (evidence.resultHash == certification.resultHash) revert NotDissent();
        _verifyEvidence(th, pubkeyG2, evidence);
        return _slash(task, operator, pubkeyG2, Fault.Dissent, dissentSlashWad);
    }

    function _verifyEvidence(bytes32 th, BN254.G2Point calldata pubkeyG2, SignedResult calldata s)
        private
        view
    {
        bool ok = BN254.verifySignature(TaskHashing.messageHash(th, s.resultHash), s.signature, pubkeyG2);
        if (!ok) revert InvalidEvidenceSignature(s.resultHash);
    }

    function _slash(
        ITaskManagerTypes.Task calldata task,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        Fault fault,
        uint64 wad
    ) private returns (uint256 sharesSlashed) {
        uint256 lastBlock = uint256(task.deadlineBlock) + challengeWindowBlocks;
        if (block.number > lastBlock) revert ChallengeWindowClosed(task.taskIndex, lastBlock);
        bytes32 operatorId = registry.getOperatorId(operator);
        if (operatorId == bytes32(0)) revert UnknownOperator(operator);
        if (BN254.hashG2Point(pubkeyG2) != registry.getOperatorPubkeyG2Hash(operator)) {
            revert PubkeyMismatch(operator);
        }
        bytes32 key = keccak256(abi.encode(task.taskIndex, operatorId, fault));
        if (_slashed[key]) revert AlreadySlashed(task.taskIndex, operatorId, fault);
        bytes memory quorums = _quorumsAtReference(task, operatorId);
        if (quorums.length == 0) revert NotInTaskQuorums(operator, task.taskIndex);
        _slashed[key] = true;
        sharesSlashed = serviceManager.slashOperator(
            operator,
            quorums,
            wad,
            fault == Fault.Equivocation ? "edge-avs: equivocation" : "edge-avs: dissent"
        );
        emit OperatorSlashed(
            task.taskIndex, operator, operatorId, fault, wad, quorums, sharesSlashed, msg.sender
        );
    }

    /// @dev Task quorums in which the operator had stake at the task's reference block.
    function _quorumsAtReference(ITaskManagerTypes.Task calldata task, bytes32 operatorId)
        private
        view
        returns (bytes memory quorums)
    {
        bytes calldata all = task.quorumNumbers;
        quorums = new bytes(all.length);
        uint256 n = 0;
        for (uint256 i = 0; i < all.length; ++i) {
            if (registry.getStakeAtBlockNumber(operatorId, uint8(all[i]), task.createdBlock) != 0) {
                quorums[n++] = all[i];
            }
        }
        assembly ("memory-safe") {
            mstore(quorums, n)
        }
    }

    /// @inheritdoc ISlashingManager
    function isSlashed(uint32 taskIndex, bytes32 operatorId, Fault fault) external view returns (bool) {
        return _slashed[keccak256(abi.encode(taskIndex, operatorId, fault))];
    }
}
