// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitmapUtils} from "../libraries/BitmapUtils.sol";
import {TaskHashing} from "../libraries/TaskHashing.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ISlashingManager} from "../interfaces/ISlashingManager.sol";
import {ITaskManager} from "../interfaces/ITaskManager.sol";
import {IResultDelivery} from "../interfaces/IResultDelivery.sol";
import {BLSSignatureChecker} from "../middleware/BLSSignatureChecker.sol";
import {ResultDelivery} from "./ResultDelivery.sol";

/// @title Batch inference tasks: escrow, certification, pro-rata fees, refunds, overturns.
/// @notice Lean by design, because every user pays for this path: a task is stored as one
///         32-byte record (its hash while pending, then a commitment to its outcome), inputs are
///         committed by a Merkle root and fetched from a URI, and fees are credited lazily:
///         certification records the signed stake, and each signer later proves its share with
///         `claimFees` (pull payment) instead of the contract writing one balance per signer.
///         Fees are claimable only once the task's challenge window (deadline +
///         challengeWindowBlocks) closed without the certificate being overturned, and never by
///         a signer slashed for a fault on that task (its share stays in the contract).
/// @dev Storage: nextTaskIndex; taskRecord[taskIndex]; _claimed[operatorId][taskIndex / 256]
///      (bitmap, so claiming consecutive tasks shares storage slots); slashingManager;
///      rewardPool; credit[account] (refunds of overturned tasks and challenge rewards); the
///      delivery records of tasks with a consumer contract (ResultDelivery).
contract TaskManager is ITaskManager, BLSSignatureChecker, ResultDelivery, ReentrancyGuardTransient {
    uint16 private constant BPS = 10_000;

    /// @notice Models and their fees.
    IModelRegistry public immutable modelRegistry;
    /// @notice Longest response window a client may choose.
    uint32 public immutable maxResponseWindowBlocks;
    /// @notice Most inputs in one task.
    uint32 public immutable maxInputsPerTask;
    /// @notice Lowest threshold a client may choose.
    uint16 public immutable minThresholdBps;
    /// @inheritdoc ITaskManager
    uint32 public immutable challengeWindowBlocks;
    /// @inheritdoc ITaskManager
    uint256 public immutable challengeReward;
    address private immutable _deployer;

    /// @inheritdoc ITaskManager
    uint32 public nextTaskIndex;
    /// @inheritdoc ITaskManager
    mapping(uint32 => bytes32) public taskRecord;
    mapping(bytes32 => mapping(uint256 => uint256)) private _claimed;
    /// @notice Decides faults and overturns certificates (set once at deployment).
    ISlashingManager public slashingManager;
    /// @inheritdoc ITaskManager
    uint256 public rewardPool;
    /// @inheritdoc ITaskManager
    mapping(address => uint256) public credit;

    /// @param registry_ The operator registry.
    /// @param modelRegistry_ The model registry.
    /// @param maxResponseWindowBlocks_ Longest response window (also the oldest reference block).
    /// @param minThresholdBps_ Lowest threshold a task may use.
    /// @param maxInputsPerTask_ Most inputs in one task.
    /// @param challengeWindowBlocks_ Blocks after a deadline during which faults can be proven.
    /// @param challengeReward_ Wei paid (from rewardPool) to whoever overturns a certificate.
    constructor(
        IOperatorRegistry registry_,
        IModelRegistry modelRegistry_,
        uint32 maxResponseWindowBlocks_,
        uint16 minThresholdBps_,
        uint32 maxInputsPerTask_,
        uint32 challengeWindowBlocks_,
        uint256 challengeReward_
    ) BLSSignatureChecker(registry_, maxResponseWindowBlocks_) {
        modelRegistry = modelRegistry_;
        maxResponseWindowBlocks = maxResponseWindowBlocks_;
        minThresholdBps = minThresholdBps_;
        maxInputsPerTask = maxInputsPerTask_;
        challengeWindowBlocks = challengeWindowBlocks_;
        challengeReward = challengeReward_;
        _deployer = msg.sender;
    }

    /// @inheritdoc ITaskManager
    function setSlashingManager(ISlashingManager slashingManager_) external {
        if (msg.sender != _deployer || address(slashingManager) != address(0)) {
            revert SlashingManagerNotSettable();
        }
        slashingManager = slashingManager_;
        emit SlashingManagerSet(address(slashingManager_));
    }

    // ---------------------------------------------------------------- create

    /// @inheritdoc ITaskManager
    function createTask(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        string calldata inputsURI,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks
    ) external payable returns (uint32 taskIndex) {
        uint96 fee = _checkCreate(modelId, inputsRoot, inputCount, quorumNumbers, thresholdBps, responseWindowBlocks);
        if (msg.value != fee) revert IncorrectFee(fee, msg.value);
        taskIndex = _create(modelId, inputsRoot, inputCount, inputsURI, quorumNumbers, thresholdBps, responseWindowBlocks, fee);
    }

    /// @inheritdoc ITaskManager
    function createTaskWithConsumer(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        string calldata inputsURI,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks,
        ConsumerRequest calldata consumer
    ) external payable returns (uint32 taskIndex) {
        uint96 fee = _checkCreate(modelId, inputsRoot, inputCount, quorumNumbers, thresholdBps, responseWindowBlocks);
        _escrowDelivery(modelId, responseWindowBlocks, fee, consumer);
        taskIndex = _create(modelId, inputsRoot, inputCount, inputsURI, quorumNumbers, thresholdBps, responseWindowBlocks, fee);
    }

    /// @dev Record the consumer of the task about to be created (its index is nextTaskIndex);
    ///      msg.value above the fee is the delivery bounty.
    function _escrowDelivery(
        bytes32 modelId,
        uint32 responseWindowBlocks,
        uint96 fee,
        ConsumerRequest calldata consumer
    ) private {
        if (msg.value < fee || msg.value - fee > type(uint96).max) revert InvalidDeliveryEscrow(fee, msg.value);
        _requestDelivery(
            nextTaskIndex,
            modelId,
            consumer,
            modelRegistry.isExact(modelId),
            uint32(block.number) + responseWindowBlocks + challengeWindowBlocks,
            uint96(msg.value - fee)
        );
    }

    function _create(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        string calldata inputsURI,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks,
        uint96 fee
    ) private returns (uint32 taskIndex) {
        taskIndex = nextTaskIndex++;
        Task memory task = Task({
            taskIndex: taskIndex,
            modelId: modelId,
            inputsRoot: inputsRoot,
            inputCount: inputCount,
            inputsURI: inputsURI,
            quorumNumbers: quorumNumbers,
            thresholdBps: thresholdBps,
            createdBlock: uint32(block.number),
            deadlineBlock: uint32(block.number) + responseWindowBlocks,
            fee: fee,
            client: msg.sender
        });
        bytes32 th = keccak256(abi.encode(block.chainid, address(this), task));
        taskRecord[taskIndex] = th;
        emit TaskCreated(taskIndex, modelId, msg.sender, th, task);
    }

    function _checkCreate(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks
    ) private view returns (uint96) {
        (uint96 feePerInput, bool active) = modelRegistry.feeQuote(modelId);
        if (!active) revert ModelNotActive(modelId);
        if (inputCount == 0 || inputCount > maxInputsPerTask) {
            revert InvalidInputCount(inputCount, maxInputsPerTask);
        }
        if (inputsRoot == bytes32(0)) revert EmptyInputsRoot();
        BitmapUtils.orderedBytesToBitmap(quorumNumbers);
        uint8 highest = uint8(quorumNumbers[quorumNumbers.length - 1]);
        if (highest >= registry.quorumCount()) revert InvalidQuorumNumber(highest);
        if (thresholdBps < minThresholdBps || thresholdBps > BPS) {
            revert InvalidThreshold(thresholdBps, minThresholdBps);
        }
        if (responseWindowBlocks == 0 || responseWindowBlocks > maxResponseWindowBlocks) {
            revert InvalidResponseWindow(responseWindowBlocks, maxResponseWindowBlocks);
        }
        uint256 fee = uint256(feePerInput) * inputCount;
        if (fee > type(uint96).max) revert FeeOverflow();
        return uint96(fee);
    }

    // ---------------------------------------------------------------- certify

    /// @inheritdoc ITaskManager
    function respondToTask(
        Task calldata task,
        bytes32 resultHash,
        NonSignerStakesAndSignature calldata certificate
    ) external {
        if (_hasConsumer(task.taskIndex)) revert ResultBytesRequired(task.taskIndex);
        _certify(task, resultHash, certificate);
    }

    /// @inheritdoc ITaskManager
    function respondToTaskWithResult(
        Task calldata task,
        bytes calldata result,
        NonSignerStakesAndSignature calldata certificate
    ) external nonReentrant {
        bytes32 resultHash = keccak256(result);
        _certify(task, resultHash, certificate);
        _onCertified(task.taskIndex, resultHash, result);
    }

    function _certify(
        Task calldata task,
        bytes32 resultHash,
        NonSignerStakesAndSignature calldata certificate
    ) private {
        bytes32 th = _taskHash(task);
        uint32 taskIndex = task.taskIndex;
        if (taskRecord[taskIndex] != th) revert TaskNotPending(taskIndex);
        if (block.number > task.deadlineBlock) revert TaskExpired(taskIndex, task.deadlineBlock);

        (QuorumStakeTotals memory totals, bytes32 signatoryRecordHash, bytes32[] memory nonSignerIds) =
        _checkSignatures(
            TaskHashing.messageHash(th, resultHash), task.quorumNumbers, task.createdBlock, certificate
        );
        _checkThresholds(task.quorumNumbers, task.thresholdBps, totals);

        taskRecord[taskIndex] = TaskHashing.outcomeRecord(
            th,
            TaskHashing.certificationHash(resultHash, signatoryRecordHash, totals.signedStakeForQuorum)
        );
        emit TaskCertified(
            taskIndex,
            resultHash,
            signatoryRecordHash,
            task.createdBlock,
            nonSignerIds,
            totals.signedStakeForQuorum,
            totals.totalStakeForQuorum,
            msg.sender
        );
        emit TaskFeesCredited(taskIndex, task.fee);
    }

    function _checkThresholds(
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        QuorumStakeTotals memory totals
    ) private pure {
        for (uint256 i = 0; i < quorumNumbers.length; ++i) {
            uint96 signed = totals.signedStakeForQuorum[i];
            uint96 total = totals.totalStakeForQuorum[i];
            if (total == 0 || uint256(signed) * BPS < uint256(total) * thresholdBps) {
                revert ThresholdNotMet(uint8(quorumNumbers[i]), signed, total, thresholdBps);
            }
        }
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc ITaskManager
    function claimFees(FeeClaim[] calldata claims) external nonReentrant returns (uint256 amount) {
        bytes32 operatorId = registry.getOperatorId(msg.sender);
        if (operatorId == bytes32(0)) revert NotRegisteredOperator(msg.sender);
        ISlashingManager slasher = slashingManager;
        if (address(slasher) == address(0)) revert SlashingManagerNotSet();
        for (uint256 i = 0; i < claims.length; ++i) {
            amount += _claim(claims[i], operatorId, slasher);
        }
        if (amount != 0) _send(msg.sender, amount);
    }

    function _claim(FeeClaim calldata c, bytes32 operatorId, ISlashingManager slasher)
        private
        returns (uint256 amount)
    {
        Task calldata task = c.task;
        uint32 taskIndex = task.taskIndex;
        uint256 lastBlock = uint256(task.deadlineBlock) + challengeWindowBlocks;
        if (block.number <= lastBlock) revert ChallengeWindowOpen(taskIndex, lastBlock);
        bytes32 signatoryRecordHash = TaskHashing.signatoryRecordHash(task.createdBlock, c.nonSignerIds);
        _verifyOutcome(
            task, TaskHashing.certificationHash(c.resultHash, signatoryRecordHash, c.signedStake)
        );
        for (uint256 j = 0; j < c.nonSignerIds.length; ++j) {
            if (c.nonSignerIds[j] == operatorId) revert NotASigner(taskIndex);
        }
        if (slasher.isFaulty(taskIndex, operatorId)) revert FeesForfeited(taskIndex);
        uint256 bit = 1 << (taskIndex & 255);
        uint256 word = _claimed[operatorId][taskIndex >> 8];
        if (word & bit != 0) revert AlreadyClaimed(taskIndex);
        _claimed[operatorId][taskIndex >> 8] = word | bit;

        // each quorum gets fee / n (the last also the remainder), split by signed stake
        uint256 n = task.quorumNumbers.length;
        uint256 perQuorum = task.fee / n;
        for (uint256 i = 0; i < n; ++i) {
            uint96 stake = registry.getStakeAtBlockNumber(
                operatorId, uint8(task.quorumNumbers[i]), task.createdBlock
            );
            if (stake == 0) continue;
            uint256 quorumFee = i == n - 1 ? task.fee - perQuorum * (n - 1) : perQuorum;
            amount += quorumFee * stake / c.signedStake[i];
        }
        emit FeesClaimed(taskIndex, operatorId, msg.sender, amount);
    }

    // ---------------------------------------------------------------- refund

    /// @inheritdoc ITaskManager
    function refundExpiredTask(Task calldata task) external nonReentrant {
        bytes32 th = _taskHash(task);
        uint32 taskIndex = task.taskIndex;
        if (taskRecord[taskIndex] != th) revert TaskNotPending(taskIndex);
        if (block.number <= task.deadlineBlock) revert TaskNotExpired(taskIndex, task.deadlineBlock);
        taskRecord[taskIndex] = TaskHashing.outcomeRecord(th, TaskHashing.REFUNDED);
        emit TaskRefunded(taskIndex, task.client, task.fee);
        uint256 refund = uint256(task.fee) + _cancelDelivery(taskIndex);
        if (refund != 0) _send(task.client, refund);
    }

    // ---------------------------------------------------------------- overturn

    /// @inheritdoc ITaskManager
    function overturnCertificate(Task calldata task, bytes32 certificationHash_, address challenger)
        external
    {
        if (msg.sender != address(slashingManager)) revert OnlySlashingManager();
        bytes32 th = _verifyOutcome(task, certificationHash_);
        taskRecord[task.taskIndex] = TaskHashing.outcomeRecord(th, TaskHashing.OVERTURNED);
        uint256 reward = challengeReward < rewardPool ? challengeReward : rewardPool;
        rewardPool -= reward;
        credit[task.client] += uint256(task.fee) + _cancelDelivery(task.taskIndex);
        credit[challenger] += reward;
        emit CertificateOverturned(task.taskIndex, challenger, task.client, task.fee, reward);
    }

    /// @inheritdoc ITaskManager
    function fundChallengeRewards() external payable {
        rewardPool += msg.value;
        emit ChallengeRewardsFunded(msg.sender, msg.value);
    }

    /// @inheritdoc ITaskManager
    function withdrawCredit() external nonReentrant returns (uint256 amount) {
        amount = credit[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        credit[msg.sender] = 0;
        emit CreditWithdrawn(msg.sender, amount);
        _send(msg.sender, amount);
    }

    // ---------------------------------------------------------------- delivery

    /// @inheritdoc IResultDelivery
    function finalize(uint32 taskIndex, bytes calldata result) external nonReentrant {
        _finalize(taskIndex, result);
    }

    /// @inheritdoc IResultDelivery
    function retryDelivery(uint32 taskIndex, bytes calldata result) external nonReentrant {
        _retry(taskIndex, result);
    }

    function _credit(address account, uint256 amount) internal override {
        credit[account] += amount;
    }

    function _send(address to, uint256 amount) private {
        (bool ok,) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    // ---------------------------------------------------------------- views

    function _taskHash(Task calldata task) private view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), task));
    }

    function _verifyOutcome(Task calldata task, bytes32 outcome) private view returns (bytes32 th) {
        th = _taskHash(task);
        bytes32 expected = outcome == bytes32(0) ? th : TaskHashing.outcomeRecord(th, outcome);
        // a certificationHash is a keccak256, so it never equals the REFUNDED/OVERTURNED markers
        if (taskRecord[task.taskIndex] != expected) revert InvalidTaskOutcome(task.taskIndex);
    }

    /// @inheritdoc ITaskManager
    function verifyTaskOutcome(Task calldata task, bytes32 outcome) external view returns (bytes32) {
        return _verifyOutcome(task, outcome);
    }

    /// @inheritdoc ITaskManager
    function taskHash(Task calldata task) external view returns (bytes32) {
        return _taskHash(task);
    }

    /// @inheritdoc ITaskManager
    function messageHash(bytes32 taskHash_, bytes32 resultHash) external pure returns (bytes32) {
        return TaskHashing.messageHash(taskHash_, resultHash);
    }

    /// @inheritdoc ITaskManager
    function certificationHash(
        bytes32 resultHash,
        bytes32 signatoryRecordHash,
        uint96[] calldata signedStake
    ) external pure returns (bytes32) {
        return TaskHashing.certificationHash(resultHash, signatoryRecordHash, signedStake);
    }

    /// @inheritdoc ITaskManager
    function isFeeClaimed(bytes32 operatorId, uint32 taskIndex) external view returns (bool) {
        return (_claimed[operatorId][taskIndex >> 8] >> (taskIndex & 255)) & 1 == 1;
    }
}
