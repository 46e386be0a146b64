// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {ITaskManagerTypes} from "./ITaskManager.sol";

/// @title Types of the slashing manager.
interface ISlashingManagerTypes {
    /// @notice Provable faults (DESIGN.md section 7).
    enum Fault {
        None,
        Equivocation,
        Dissent
    }

    /// @notice One operator signature on keccak256(abi.encode(taskHash, resultHash)).
    struct SignedResult {
        bytes32 resultHash;
        BN254.G1Point signature;
    }

    /// @notice The certified outcome of a task, as emitted in TaskCertified.
    struct Certification {
        bytes32 resultHash;
        bytes32 signatoryRecordHash;
        uint96[] signedStake;
    }
}

/// @title Errors of the slashing manager.
interface ISlashingManagerErrors {
    /// @notice Evidence arrived after deadlineBlock + challengeWindowBlocks.
    error ChallengeWindowClosed(uint32 taskIndex, uint256 lastBlock);
    /// @notice The address has no registered BLS key.
    error UnknownOperator(address operator);
    /// @notice The G2 key given is not the operator's registered one.
    error PubkeyMismatch(address operator);
    /// @notice The operator had no stake in the task's quorums at its reference block.
    error NotInTaskQuorums(address operator, uint32 taskIndex);
    /// @notice Equivocation needs two different results.
    error SameResult();
    /// @notice An evidence signature does not verify under the operator's key.
    error InvalidEvidenceSignature(bytes32 resultHash);
    /// @notice This operator was already slashed for this fault on this task.
    error AlreadySlashed(uint32 taskIndex, bytes32 operatorId, ISlashingManagerTypes.Fault fault);
    /// @notice Dissent is only slashable on exact task types.
    error TaskTypeNotExact(bytes32 modelId);
    /// @notice The evidence signs the certified result: that is agreement, not dissent.
    error NotDissent();
    /// @notice Slash fractions must be in (0, 1e18].
    error InvalidSlashAmount();
}

/// @title Events of the slashing manager.
interface ISlashingManagerEvents {
    /// @notice An operator was slashed for `fault` on `taskIndex`.
    /// @param wadSlashed Fraction of its allocation slashed in each quorum (1e18 = 100%).
    /// @param sharesSlashed Total delegated shares removed.
    event OperatorSlashed(
        uint32 indexed taskIndex,
        address indexed operator,
        bytes32 indexed operatorId,
        ISlashingManagerTypes.Fault fault,
        uint256 wadSlashed,
        bytes quorumNumbers,
        uint256 sharesSlashed,
        address challenger
    );
    /// @notice Slash fractions changed.
    event SlashAmountsUpdated(uint64 equivocationWad, uint64 dissentWad);
}

/// @title Verifies fault evidence on-chain and slashes through the service manager.
interface ISlashingManager is ISlashingManagerTypes, ISlashingManagerErrors, ISlashingManagerEvents {
    /// @notice Slash `operator` for two valid signatures on different results of one task.
    /// @param outcome 0 if the task is pending, 1 if refunded, else its certificationHash.
    /// @param pubkeyG2 The operator's registered G2 key (checked against its hash).
    /// @return sharesSlashed Total shares removed.
    function slashEquivocation(
        ITaskManagerTypes.Task calldata task,
        bytes32 outcome,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata first,
        SignedResult calldata second
    ) external returns (uint256 sharesSlashed);

    /// @notice Slash `operator` for a valid signature on a result other than the certified one
    ///         of a task of an exact task type.
    /// @return sharesSlashed Total shares removed.
    function slashDissent(
        ITaskManagerTypes.Task calldata task,
        Certification calldata certification,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata evidence
    ) external returns (uint256 sharesSlashed);

    /// @notice Set the slash fractions (owner only).
    function setSlashAmounts(uint64 equivocationWad, uint64 dissentWad) external;

    /// @notice Whether `operatorId` was slashed for `fault` on `taskIndex`.
    function isSlashed(uint32 taskIndex, bytes32 operatorId, Fault fault) external view returns (bool);
}
