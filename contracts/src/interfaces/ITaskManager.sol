// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IBLSSignatureChecker} from "./IBLSSignatureChecker.sol";
import {IResultDelivery} from "./IResultDelivery.sol";
import {ISlashingManager} from "./ISlashingManager.sol";

/// @title Types of the task manager.
interface ITaskManagerTypes {
    /// @notice A batch inference task (INTERFACES.md; DESIGN.md section 4).
    ///         taskHash = keccak256(abi.encode(block.chainid, address(taskManager), task)).
    /// @param taskIndex Assigned by createTask, sequential from 0.
    /// @param modelId Model registry key.
    /// @param inputsRoot Binary keccak Merkle root over leaves keccak256(input_i).
    /// @param inputCount Number of inputs (1..maxInputsPerTask).
    /// @param inputsURI Where operators fetch the input blob.
    /// @param quorumNumbers Strictly ascending quorum numbers (= operator set ids).
    /// @param thresholdBps Signed share of each quorum's stake required, in basis points.
    /// @param createdBlock Block of creation; the certificate's reference block.
    /// @param deadlineBlock Last block in which a certificate is accepted.
    /// @param fee Escrowed fee in wei (feePerInput x inputCount).
    /// @param client Who paid; receives the refund on expiry.
    struct Task {
        uint32 taskIndex;
        bytes32 modelId;
        bytes32 inputsRoot;
        uint32 inputCount;
        string inputsURI;
        bytes quorumNumbers;
        uint16 thresholdBps;
        uint32 createdBlock;
        uint32 deadlineBlock;
        uint96 fee;
        address client;
    }

    /// @notice What an operator submits to claim its fee share of one certified task.
    /// @param task The task.
    /// @param resultHash The certified keccak256(resultBytes).
    /// @param nonSignerIds The certificate's non-signer operator ids (from TaskCertified).
    /// @param signedStake The certificate's signed stake per quorum (from TaskCertified).
    struct FeeClaim {
        Task task;
        bytes32 resultHash;
        bytes32[] nonSignerIds;
        uint96[] signedStake;
    }
}

/// @title Errors of the task manager.
interface ITaskManagerErrors {
    /// @notice The model is unknown or inactive.
    error ModelNotActive(bytes32 modelId);
    /// @notice inputCount must be in 1..maxInputsPerTask.
    error InvalidInputCount(uint32 inputCount, uint32 maxInputs);
    /// @notice inputsRoot must be non-zero.
    error EmptyInputsRoot();
    /// @notice A quorum number does not exist.
    error InvalidQuorumNumber(uint8 quorumNumber);
    /// @notice thresholdBps must be in minThresholdBps..10000.
    error InvalidThreshold(uint16 thresholdBps, uint16 minThresholdBps);
    /// @notice responseWindowBlocks must be in 1..maxResponseWindowBlocks.
    error InvalidResponseWindow(uint32 responseWindowBlocks, uint32 maxResponseWindowBlocks);
    /// @notice msg.value must equal feePerInput x inputCount.
    error IncorrectFee(uint256 required, uint256 sent);
    /// @notice The fee does not fit in uint96.
    error FeeOverflow();
    /// @notice Unknown task, task fields differ from the created task, or it is no longer pending.
    error TaskNotPending(uint32 taskIndex);
    /// @notice The deadline passed; the task can only be refunded.
    error TaskExpired(uint32 taskIndex, uint32 deadlineBlock);
    /// @notice The deadline has not passed yet.
    error TaskNotExpired(uint32 taskIndex, uint32 deadlineBlock);
    /// @notice Signed stake is below the threshold in a quorum (or the quorum has no stake).
    error ThresholdNotMet(uint8 quorumNumber, uint96 signedStake, uint96 totalStake, uint16 thresholdBps);
    /// @notice The task and outcome given do not match the stored record.
    error InvalidTaskOutcome(uint32 taskIndex);
    /// @notice The caller has no registered BLS key.
    error NotRegisteredOperator(address caller);
    /// @notice The operator is a non-signer of the task's certificate.
    error NotASigner(uint32 taskIndex);
    /// @notice The operator already claimed this task's fee.
    error AlreadyClaimed(uint32 taskIndex);
    /// @notice An ETH transfer failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice Fees are claimable only after deadlineBlock + challengeWindowBlocks.
    error ChallengeWindowOpen(uint32 taskIndex, uint256 lastBlock);
    /// @notice The operator was slashed for a fault on this task and forfeits its fee share.
    error FeesForfeited(uint32 taskIndex);
    /// @notice Only the slashing manager may overturn a certificate.
    error OnlySlashingManager();
    /// @notice The slashing manager is set once, by the deployer.
    error SlashingManagerNotSettable();
    /// @notice The slashing manager is not set yet.
    error SlashingManagerNotSet();
    /// @notice The caller has no credit to withdraw.
    error NothingToWithdraw();
}

/// @title Events of the task manager (enough for an indexer to rebuild per-operator performance).
interface ITaskManagerEvents {
    /// @notice A task was created and its fee escrowed; carries the full task.
    event TaskCreated(
        uint32 indexed taskIndex,
        bytes32 indexed modelId,
        address indexed client,
        bytes32 taskHash,
        ITaskManagerTypes.Task task
    );
    /// @notice A task was certified.
    /// @param resultHash keccak256 of the certified canonical result bytes.
    /// @param signatoryRecordHash keccak256(abi.encodePacked(referenceBlock, nonSignerIds)).
    /// @param nonSignerIds Operators of the task's quorums that did not sign, ascending.
    event TaskCertified(
        uint32 indexed taskIndex,
        bytes32 resultHash,
        bytes32 signatoryRecordHash,
        uint32 referenceBlock,
        bytes32[] nonSignerIds,
        uint96[] signedStake,
        uint96[] totalStake,
        address submitter
    );
    /// @notice The task's fee became claimable by its signers, pro rata to stake: each quorum
    ///         gets fee / quorumCount (the last quorum also the remainder), split by signed stake.
    event TaskFeesCredited(uint32 indexed taskIndex, uint96 fee);
    /// @notice An operator claimed its share of one task's fee.
    event FeesClaimed(
        uint32 indexed taskIndex, bytes32 indexed operatorId, address indexed operator, uint256 amount
    );
    /// @notice An expired task's fee was returned to its client.
    event TaskRefunded(uint32 indexed taskIndex, address indexed client, uint96 fee);
    /// @notice A certificate was proven wrong by on-chain re-execution: the task is settled as
    ///         overturned, its fee credited back to the client and the reward to the challenger.
    event CertificateOverturned(
        uint32 indexed taskIndex, address indexed challenger, address client, uint96 refund, uint256 reward
    );
    /// @notice The slashing manager was wired (once, at deployment).
    event SlashingManagerSet(address slashingManager);
    /// @notice Someone added `amount` wei to the pool that pays challengers.
    event ChallengeRewardsFunded(address indexed from, uint256 amount);
    /// @notice `account` withdrew its credited refunds and rewards.
    event CreditWithdrawn(address indexed account, uint256 amount);
}

/// @title Batch inference tasks: creation with escrow, certification, fees and refunds.
interface ITaskManager is
    ITaskManagerTypes,
    ITaskManagerErrors,
    ITaskManagerEvents,
    IBLSSignatureChecker,
    IResultDelivery
{
    /// @notice Create a task over `inputCount` inputs committed by `inputsRoot`; send the fee.
    /// @return taskIndex The new task's index.
    function createTask(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        string calldata inputsURI,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks
    ) external payable returns (uint32 taskIndex);

    /// @notice Create a task whose certified result is delivered to `consumer.consumer`
    ///         (IInferenceConsumer). Send the fee plus a delivery bounty: everything above the
    ///         fee is escrowed and credited to whoever makes the first delivery attempt (it pays
    ///         the callback's gas), or back to the client if the task expires or is overturned.
    /// @return taskIndex The new task's index.
    function createTaskWithConsumer(
        bytes32 modelId,
        bytes32 inputsRoot,
        uint32 inputCount,
        string calldata inputsURI,
        bytes calldata quorumNumbers,
        uint16 thresholdBps,
        uint32 responseWindowBlocks,
        ConsumerRequest calldata consumer
    ) external payable returns (uint32 taskIndex);

    /// @notice Certify `resultHash` for `task` with a quorum certificate; first valid one wins.
    ///         Tasks with a consumer must use respondToTaskWithResult.
    function respondToTask(
        Task calldata task,
        bytes32 resultHash,
        NonSignerStakesAndSignature calldata certificate
    ) external;

    /// @notice Certify `keccak256(result)` for a task with a consumer, publish `result`
    ///         (ResultPublished) and, unless the consumer waits for the challenge window, call
    ///         it now; the caller is credited the delivery bounty. The transaction must carry
    ///         enough gas to give the callback its whole gas limit; a failing callback never
    ///         undoes the certification.
    function respondToTaskWithResult(
        Task calldata task,
        bytes calldata result,
        NonSignerStakesAndSignature calldata certificate
    ) external;

    /// @notice Claim the caller's (an operator's) fee share of certified tasks whose challenge
    ///         window closed without an overturn; an operator slashed for any fault on a task
    ///         forfeits its share of that task's fee. Pays ETH.
    /// @return amount Total wei paid.
    function claimFees(FeeClaim[] calldata claims) external returns (uint256 amount);

    /// @notice Return the fee of a task that expired uncertified to its client.
    function refundExpiredTask(Task calldata task) external;

    /// @notice Wire the slashing manager (once, by the deployer).
    function setSlashingManager(ISlashingManager slashingManager_) external;

    /// @notice Settle a certified task as overturned (slashing manager only, after it verified
    ///         the re-execution proof): credit the fee back to the client and pay the challenger
    ///         min(challengeReward, rewardPool). Credits are pulled with withdrawCredit, so no
    ///         recipient can block an overturn.
    function overturnCertificate(Task calldata task, bytes32 certificationHash_, address challenger)
        external;

    /// @notice Add the sent wei to the pool that pays challenge rewards.
    function fundChallengeRewards() external payable;

    /// @notice Pay the caller its credited refunds and rewards.
    /// @return amount Wei paid.
    function withdrawCredit() external returns (uint256 amount);

    /// @notice Refunds and rewards credited to `account` and not yet withdrawn.
    function credit(address account) external view returns (uint256);

    /// @notice Wei left to pay challenge rewards.
    function rewardPool() external view returns (uint256);

    /// @notice Reward paid to a successful challenger (while the pool lasts).
    function challengeReward() external view returns (uint256);

    /// @notice Blocks after a task's deadline before its fees become claimable.
    function challengeWindowBlocks() external view returns (uint32);

    /// @notice Check `task` against the stored record; `outcome` is 0 for a pending task,
    ///         REFUNDED (1) for a refunded one, OVERTURNED (2) for an overturned one, else the
    ///         certificationHash.
    /// @return taskHash The task's hash.
    function verifyTaskOutcome(Task calldata task, bytes32 outcome)
        external
        view
        returns (bytes32 taskHash);

    /// @notice keccak256(abi.encode(block.chainid, address(this), task)).
    function taskHash(Task calldata task) external view returns (bytes32);

    /// @notice What operators sign: keccak256(abi.encode(taskHash, resultHash)).
    function messageHash(bytes32 taskHash_, bytes32 resultHash) external pure returns (bytes32);

    /// @notice keccak256(abi.encode(resultHash, signatoryRecordHash, signedStake)).
    function certificationHash(
        bytes32 resultHash,
        bytes32 signatoryRecordHash,
        uint96[] calldata signedStake
    ) external pure returns (bytes32);

    /// @notice Stored record: taskHash while pending, else keccak256(abi.encode(taskHash, outcome)).
    function taskRecord(uint32 taskIndex) external view returns (bytes32);

    /// @notice Index the next task will get.
    function nextTaskIndex() external view returns (uint32);

    /// @notice Whether `operatorId` claimed its fee for `taskIndex`.
    function isFeeClaimed(bytes32 operatorId, uint32 taskIndex) external view returns (bool);
}
