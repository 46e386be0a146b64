// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IInferenceConsumer} from "../interfaces/IInferenceConsumer.sol";
import {InferenceResults} from "../libraries/InferenceResults.sol";

/// @title Example consumer: a payment released only if a classifier is confident enough.
/// @notice A payer escrows `amount` for a payee, naming a model, a target label and K. The
///         payer then creates a task on that model with this contract as consumer and the
///         agreement id as context. When the final certified result arrives, the payee is paid
///         if at least K of the task's N inputs got the target label (an ABSTAIN never counts),
///         otherwise the payer gets the escrow back. Payments are pulled with `withdraw`.
/// @dev Only the payer's own tasks settle its agreement (the task manager passes the task's
///      client), only final results count (a not-final call reverts, so the client can retry it
///      once the challenge window closed), and an agreement settles once. The payer chooses
///      the task's inputs, so the payee trusts that choice; an agreement that must pin them
///      would also commit the task's inputsRoot (read from TaskCreated by whoever opens it).
contract PayIfConfident is IInferenceConsumer {
    /// @notice One escrowed payment.
    /// @param payer Who escrowed, and the only client whose task can settle it.
    /// @param payee Who is paid when the condition holds.
    /// @param amount Escrowed wei.
    /// @param modelId The model the task must use.
    /// @param targetLabel The label that counts.
    /// @param minMatches K: inputs that must get the target label.
    /// @param reclaimAfterBlock After this block an unsettled escrow goes back to the payer.
    /// @param settled Whether it settled (paid, refunded or reclaimed).
    struct Agreement {
        address payer;
        address payee;
        uint96 amount;
        bytes32 modelId;
        uint8 targetLabel;
        uint32 minMatches;
        uint32 reclaimAfterBlock;
        bool settled;
    }

    /// @notice The task manager whose deliveries this contract trusts.
    address public immutable taskManager;
    /// @notice Agreements by id (ids start at 1).
    mapping(uint256 => Agreement) public agreements;
    /// @notice Number of agreements opened.
    uint256 public agreementCount;
    /// @notice Wei each account can withdraw.
    mapping(address => uint256) public owed;

    /// @notice An agreement was opened.
    event AgreementOpened(
        uint256 indexed id, address indexed payer, address indexed payee, uint256 amount, uint8 targetLabel, uint32 minMatches
    );
    /// @notice An agreement settled on a certified result: `paid` says whether the payee got it.
    event AgreementSettled(uint256 indexed id, uint32 indexed taskIndex, uint256 matches, uint256 inputs, bool paid);
    /// @notice The payer took back an agreement that never settled.
    event AgreementReclaimed(uint256 indexed id);
    /// @notice `account` withdrew `amount`.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice Only the task manager delivers results.
    error OnlyTaskManager();
    /// @notice No such agreement, or it already settled.
    error AgreementClosed(uint256 id);
    /// @notice The task was not created by the agreement's payer.
    error NotThePayer(address client);
    /// @notice The task ran another model than agreed.
    error WrongModel(bytes32 modelId);
    /// @notice Only final results settle an agreement.
    error ResultNotFinal(uint32 taskIndex);
    /// @notice The agreement's terms are invalid (no payee, K = 0, nothing escrowed, label).
    error InvalidTerms();
    /// @notice Only the payer may reclaim, and only after reclaimAfterBlock.
    error CannotReclaim(uint256 id);
    /// @notice Nothing to withdraw, or the transfer failed.
    error WithdrawFailed();

    /// @param taskManager_ The task manager that calls `onInferenceResult`.
    constructor(address taskManager_) {
        taskManager = taskManager_;
    }

    /// @notice Escrow msg.value for `payee`, released if at least `minMatches` inputs of the
    ///         payer's task on `modelId` get `targetLabel`; reclaimable after `reclaimAfterBlock`.
    /// @return id The agreement id to pass as the task's context.
    function open(address payee, bytes32 modelId, uint8 targetLabel, uint32 minMatches, uint32 reclaimAfterBlock)
        external
        payable
        returns (uint256 id)
    {
        if (
            payee == address(0) || minMatches == 0 || msg.value == 0 || msg.value > type(uint96).max
                || targetLabel > InferenceResults.MAX_LABEL
        ) revert InvalidTerms();
        id = ++agreementCount;
        agreements[id] = Agreement({
            payer: msg.sender,
            payee: payee,
            amount: uint96(msg.value),
            modelId: modelId,
            targetLabel: targetLabel,
            minMatches: minMatches,
            reclaimAfterBlock: reclaimAfterBlock,
            settled: false
        });
        emit AgreementOpened(id, msg.sender, payee, msg.value, targetLabel, minMatches);
    }

    /// @inheritdoc IInferenceConsumer
    function onInferenceResult(
        uint32 taskIndex,
        bytes32 modelId,
        address client,
        bytes32 context,
        bytes calldata result,
        bool isFinal
    ) external {
        if (msg.sender != taskManager) revert OnlyTaskManager();
        uint256 id = uint256(context);
        Agreement storage a = agreements[id];
        if (a.payer == address(0) || a.settled) revert AgreementClosed(id);
        if (client != a.payer) revert NotThePayer(client);
        if (modelId != a.modelId) revert WrongModel(modelId);
        if (!isFinal) revert ResultNotFinal(taskIndex);
        a.settled = true;
        uint256 matches = InferenceResults.countLabel(result, a.targetLabel);
        bool paid = matches >= a.minMatches;
        owed[paid ? a.payee : a.payer] += a.amount;
        emit AgreementSettled(id, taskIndex, matches, result.length, paid);
    }

    /// @notice Take back an agreement that did not settle by `reclaimAfterBlock` (payer only).
    function reclaim(uint256 id) external {
        Agreement storage a = agreements[id];
        if (msg.sender != a.payer || a.settled || block.number <= a.reclaimAfterBlock) revert CannotReclaim(id);
        a.settled = true;
        owed[a.payer] += a.amount;
        emit AgreementReclaimed(id);
    }

    /// @notice Pay the caller what it is owed.
    function withdraw() external {
        uint256 amount = owed[msg.sender];
        if (amount == 0) revert WithdrawFailed();
        owed[msg.sender] = 0;
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = payable(msg.sender).call{value: amount}("");
        if (!ok) revert WithdrawFailed();
    }
}
