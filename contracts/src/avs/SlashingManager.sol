// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {BN254} from "../libraries/BN254.sol";
import {ReExecution} from "../libraries/ReExecution.sol";
import {TaskHashing} from "../libraries/TaskHashing.sol";
import {ITaskManager, ITaskManagerTypes} from "../interfaces/ITaskManager.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {IServiceManager} from "../interfaces/IServiceManager.sol";
import {ISlashingManager} from "../interfaces/ISlashingManager.sol";

/// @title Verifies objective fault evidence and slashes through the service manager.
/// @notice Faults (docs/architecture.md): equivocation (two valid signatures by one operator
///         on different results of one task); a wrong result (an operator's valid signature on a
///         result whose entry i differs from the on-chain re-execution of input i); a wrong
///         certificate (the certified result's entry i differs: the task is overturned and every
///         signer slashed). Dissent alone is never slashed. Evidence is accepted until
///         deadlineBlock + challengeWindowBlocks, which deployment keeps inside the withdrawal
///         and deallocation delays so the stake that backed the task is still there; fees become
///         claimable only after that window. An operator is slashed in every task quorum where
///         it had stake at the reference block, at most once per (task, operator, fault), and
///         once in all for a wrong result on one task, whichever path proved it.
/// @dev Storage: equivocationSlashWad, wrongResultSlashWad (one slot), _slashed[key(task,
///      operator, fault)], _faulty[key(task, operator)].
contract SlashingManager is ISlashingManager, Ownable {
    /// @notice Source of task records, and where overturned certificates are settled.
    ITaskManager public immutable taskManager;
    /// @notice Source of keys and stake history.
    IOperatorRegistry public immutable registry;
    /// @notice Source of exactness and verifiers.
    IModelRegistry public immutable modelRegistry;
    /// @notice The AVS, the only path into slashOperator.
    IServiceManager public immutable serviceManager;
    /// @notice Blocks after a task's deadline during which evidence is accepted.
    uint32 public immutable challengeWindowBlocks;

    /// @notice Fraction slashed for equivocation (1e18 = 100%).
    uint64 public equivocationSlashWad;
    /// @notice Fraction slashed for a wrong result or for signing a wrong certificate.
    uint64 public wrongResultSlashWad;
    mapping(bytes32 => bool) private _slashed;
    mapping(bytes32 => bool) private _faulty;

    /// @param taskManager_ The task manager.
    /// @param registry_ The operator registry.
    /// @param serviceManager_ The service manager (this contract must be its slasher).
    /// @param modelRegistry_ The model registry.
    /// @param challengeWindowBlocks_ Evidence window after each task's deadline.
    /// @param equivocationWad Initial equivocation slash fraction.
    /// @param wrongResultWad Initial wrong-result (and wrong-certificate) slash fraction.
    /// @param owner_ May change the fractions.
    constructor(
        ITaskManager taskManager_,
        IOperatorRegistry registry_,
        IServiceManager serviceManager_,
        IModelRegistry modelRegistry_,
        uint32 challengeWindowBlocks_,
        uint64 equivocationWad,
        uint64 wrongResultWad,
        address owner_
    ) Ownable(owner_) {
        taskManager = taskManager_;
        registry = registry_;
        serviceManager = serviceManager_;
        modelRegistry = modelRegistry_;
        challengeWindowBlocks = challengeWindowBlocks_;
        _setSlashAmounts(equivocationWad, wrongResultWad);
    }

    /// @inheritdoc ISlashingManager
    function setSlashAmounts(uint64 equivocationWad, uint64 wrongResultWad) external onlyOwner {
        _setSlashAmounts(equivocationWad, wrongResultWad);
    }

    function _setSlashAmounts(uint64 equivocationWad, uint64 wrongResultWad) private {
        if (equivocationWad == 0 || equivocationWad > 1e18 || wrongResultWad == 0 || wrongResultWad > 1e18) {
            revert InvalidSlashAmount();
        }
        equivocationSlashWad = equivocationWad;
        wrongResultSlashWad = wrongResultWad;
        emit SlashAmountsUpdated(equivocationWad, wrongResultWad);
    }

    // ---------------------------------------------------------------- evidence

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
        bytes32 operatorId = _checkKey(operator, pubkeyG2);
        return _slash(task, operator, operatorId, Fault.Equivocation, equivocationSlashWad);
    }

    /// @inheritdoc ISlashingManager
    function slashWrongResult(
        ITaskManagerTypes.Task calldata task,
        bytes32 outcome,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata evidence,
        ReExecutionProof calldata proof
    ) external returns (uint256) {
        bytes32 th = taskManager.verifyTaskOutcome(task, outcome);
        _checkWindow(task);
        _proveWrong(task, evidence.resultHash, proof);
        _verifyEvidence(th, pubkeyG2, evidence);
        bytes32 operatorId = _checkKey(operator, pubkeyG2);
        if (_slashed[_key(task.taskIndex, operatorId, Fault.WrongCertificate)]) {
            revert AlreadySlashed(task.taskIndex, operatorId, Fault.WrongCertificate);
        }
        return _slash(task, operator, operatorId, Fault.WrongResult, wrongResultSlashWad);
    }

    /// @inheritdoc ISlashingManager
    function challengeCertificate(
        ITaskManagerTypes.Task calldata task,
        Certification calldata certification,
        ReExecutionProof calldata proof,
        address[] calldata signers
    ) external {
        bytes32 outcome = TaskHashing.certificationHash(
            certification.resultHash,
            TaskHashing.signatoryRecordHash(task.createdBlock, certification.nonSignerIds),
            certification.signedStake
        );
        taskManager.verifyTaskOutcome(task, outcome);
        _checkWindow(task);
        _proveWrong(task, certification.resultHash, proof);
        bytes32[] memory ids = _checkSigners(task, certification, signers);
        taskManager.overturnCertificate(task, outcome, msg.sender);
        uint64 wad = wrongResultSlashWad;
        for (uint256 k = 0; k < ids.length; ++k) {
            // a signer already slashed for this very result is not slashed twice
            if (_slashed[_key(task.taskIndex, ids[k], Fault.WrongResult)]) continue;
            _slash(task, signers[k], ids[k], Fault.WrongCertificate, wad);
        }
    }

    // ---------------------------------------------------------------- checks

    function _proveWrong(
        ITaskManagerTypes.Task calldata task,
        bytes32 resultHash,
        ReExecutionProof calldata proof
    ) private {
        (uint32 index, bytes memory correct) = ReExecution.proveWrong(modelRegistry, task, resultHash, proof);
        bytes memory claimed;
        if (index != ReExecution.MALFORMED_RESULT) {
            uint256 size = correct.length;
            claimed = proof.result[index * size:(index + 1) * size];
        }
        emit WrongResultProven(task.taskIndex, resultHash, index, claimed, correct);
    }

    /// @dev The operator ids of `signers`, after checking they are exactly the certificate's
    ///      signers: strictly ascending ids, none a non-signer, and per quorum their stakes at
    ///      the reference block sum to the certified signed stake.
    function _checkSigners(
        ITaskManagerTypes.Task calldata task,
        Certification calldata certification,
        address[] calldata signers
    ) private view returns (bytes32[] memory ids) {
        uint256[] memory sums = new uint256[](task.quorumNumbers.length);
        ids = new bytes32[](signers.length);
        uint256 n = 0; // cursor in the ascending non-signer list
        for (uint256 k = 0; k < signers.length; ++k) {
            bytes32 id = registry.getOperatorId(signers[k]);
            if (id == bytes32(0)) revert UnknownOperator(signers[k]);
            if (k != 0 && id <= ids[k - 1]) revert SignersMismatch();
            n = _skipNonSigners(certification.nonSignerIds, n, id);
            _addStakes(sums, id, task);
            ids[k] = id;
        }
        for (uint256 i = 0; i < sums.length; ++i) {
            if (sums[i] != certification.signedStake[i]) revert SignersMismatch();
        }
    }

    /// @dev Advances the cursor past ids below `id`; reverts if `id` is a non-signer.
    function _skipNonSigners(bytes32[] calldata nonSigners, uint256 n, bytes32 id)
        private
        pure
        returns (uint256)
    {
        while (n < nonSigners.length && nonSigners[n] < id) ++n;
        if (n < nonSigners.length && nonSigners[n] == id) revert SignersMismatch();
        return n;
    }

    function _addStakes(uint256[] memory sums, bytes32 id, ITaskManagerTypes.Task calldata task)
        private
        view
    {
        for (uint256 i = 0; i < sums.length; ++i) {
            sums[i] += registry.getStakeAtBlockNumber(id, uint8(task.quorumNumbers[i]), task.createdBlock);
        }
    }

    function _checkWindow(ITaskManagerTypes.Task calldata task) private view {
        uint256 lastBlock = uint256(task.deadlineBlock) + challengeWindowBlocks;
        if (block.number > lastBlock) revert ChallengeWindowClosed(task.taskIndex, lastBlock);
    }

    function _verifyEvidence(bytes32 th, BN254.G2Point calldata pubkeyG2, SignedResult calldata s)
        private
        view
    {
        bool ok = BN254.verifySignature(TaskHashing.messageHash(th, s.resultHash), s.signature, pubkeyG2);
        if (!ok) revert InvalidEvidenceSignature(s.resultHash);
    }

    function _checkKey(address operator, BN254.G2Point calldata pubkeyG2)
        private
        view
        returns (bytes32 operatorId)
    {
        operatorId = registry.getOperatorId(operator);
        if (operatorId == bytes32(0)) revert UnknownOperator(operator);
        if (BN254.hashG2Point(pubkeyG2) != registry.getOperatorPubkeyG2Hash(operator)) {
            revert PubkeyMismatch(operator);
        }
    }

    // ---------------------------------------------------------------- slash

    function _slash(
        ITaskManagerTypes.Task calldata task,
        address operator,
        bytes32 operatorId,
        Fault fault,
        uint64 wad
    ) private returns (uint256 sharesSlashed) {
        _checkWindow(task);
        bytes32 key = _key(task.taskIndex, operatorId, fault);
        if (_slashed[key]) revert AlreadySlashed(task.taskIndex, operatorId, fault);
        bytes memory quorums = _quorumsAtReference(task, operatorId);
        if (quorums.length == 0) revert NotInTaskQuorums(operator, task.taskIndex);
        _slashed[key] = true;
        _faulty[keccak256(abi.encode(task.taskIndex, operatorId))] = true;
        sharesSlashed = serviceManager.slashOperator(operator, quorums, wad, _description(fault));
        emit OperatorSlashed(
            task.taskIndex, operator, operatorId, fault, wad, quorums, sharesSlashed, msg.sender
        );
    }

    function _description(Fault fault) private pure returns (string memory) {
        if (fault == Fault.Equivocation) return "edge-avs: equivocation";
        if (fault == Fault.WrongResult) return "edge-avs: wrong result";
        return "edge-avs: signed a wrong certificate";
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

    function _key(uint32 taskIndex, bytes32 operatorId, Fault fault) private pure returns (bytes32) {
        return keccak256(abi.encode(taskIndex, operatorId, fault));
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ISlashingManager
    function isSlashed(uint32 taskIndex, bytes32 operatorId, Fault fault) external view returns (bool) {
        return _slashed[_key(taskIndex, operatorId, fault)];
    }

    /// @inheritdoc ISlashingManager
    function isFaulty(uint32 taskIndex, bytes32 operatorId) external view returns (bool) {
        return _faulty[keccak256(abi.encode(taskIndex, operatorId))];
    }
}
