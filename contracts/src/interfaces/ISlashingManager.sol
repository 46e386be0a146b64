// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {ITaskManagerTypes} from "./ITaskManager.sol";

/// @title Types of the slashing manager.
interface ISlashingManagerTypes {
    /// @notice Objective faults (docs/architecture.md, "Fault model"). Disagreeing with a
    ///         certificate is not one: only re-execution decides who was wrong.
    enum Fault {
        None,
        Equivocation,
        WrongResult,
        WrongCertificate
    }

    /// @notice One operator signature on keccak256(abi.encode(taskHash, resultHash)).
    struct SignedResult {
        bytes32 resultHash;
        BN254.G1Point signature;
    }

    /// @notice The certified outcome of a task, as emitted in TaskCertified.
    /// @param resultHash The certified keccak256(resultBytes).
    /// @param nonSignerIds The certificate's non-signers, ascending.
    /// @param signedStake Signed stake per task quorum.
    struct Certification {
        bytes32 resultHash;
        bytes32[] nonSignerIds;
        uint96[] signedStake;
    }

    /// @notice On-chain re-execution of input `index` of a task of an exact task type.
    /// @param result The full result bytes whose keccak256 was signed or certified.
    /// @param index The input whose result entry is claimed wrong.
    /// @param model The canonical model encoding (checked by the model's verifier).
    /// @param input Input `index`'s canonical bytes (its Merkle leaf).
    /// @param inputProof Merkle siblings from the leaf to the task's inputsRoot.
    struct ReExecutionProof {
        bytes result;
        uint32 index;
        bytes model;
        bytes input;
        bytes32[] inputProof;
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
    /// @notice Re-execution evidence needs a model of an exact task type with a verifier.
    error TaskTypeNotExact(bytes32 modelId);
    /// @notice The result bytes do not hash to the signed or certified result hash.
    error ResultBytesMismatch(bytes32 given, bytes32 expected);
    /// @notice The result bytes are not inputCount entries long.
    error ResultLengthMismatch(uint256 length, uint256 expected);
    /// @notice The input is not leaf `index` of the task's inputsRoot.
    error InvalidInputProof(uint32 index);
    /// @notice Re-execution agrees with the result entry: there is no fault.
    error ResultEntryCorrect(uint32 index);
    /// @notice The signers given are not exactly the certificate's signers (unsorted,
    ///         duplicated, a non-signer, or their stake does not add up to the signed stake).
    error SignersMismatch();
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
    /// @notice On-chain re-execution proved entry `index` of `resultHash` wrong.
    event WrongResultProven(
        uint32 indexed taskIndex, bytes32 resultHash, uint32 index, bytes claimedEntry, bytes correctEntry
    );
    /// @notice Slash fractions changed.
    event SlashAmountsUpdated(uint64 equivocationWad, uint64 wrongResultWad);
}

/// @title Verifies fault evidence on-chain and slashes through the service manager.
interface ISlashingManager is ISlashingManagerTypes, ISlashingManagerErrors, ISlashingManagerEvents {
    /// @notice Slash `operator` for two valid signatures on different results of one task.
    /// @param outcome The task's record outcome: 0 pending, 1 refunded, 2 overturned, else its
    ///        certificationHash.
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

    /// @notice Slash `operator` for a valid signature on a result whose entry `proof.index`
    ///         differs from the on-chain re-execution of that input (exact task types only).
    ///         Anyone may submit; an operator already slashed for the certificate it signed
    ///         is not slashed twice for the same result.
    /// @param outcome As in slashEquivocation.
    /// @return sharesSlashed Total shares removed.
    function slashWrongResult(
        ITaskManagerTypes.Task calldata task,
        bytes32 outcome,
        address operator,
        BN254.G2Point calldata pubkeyG2,
        SignedResult calldata evidence,
        ReExecutionProof calldata proof
    ) external returns (uint256 sharesSlashed);

    /// @notice Overturn a certificate whose entry `proof.index` differs from the on-chain
    ///         re-execution: the task is marked overturned, its client refunded, the caller
    ///         rewarded, and every signer slashed once. No bond: the proof is objective, and a
    ///         failed challenge only costs its sender gas.
    /// @param signers Every signer of the certificate, ascending by operator id; checked
    ///        against the certificate (no non-signer, and their stakes at the reference block
    ///        add up to the signed stake of every quorum), so no signer can be left out.
    function challengeCertificate(
        ITaskManagerTypes.Task calldata task,
        Certification calldata certification,
        ReExecutionProof calldata proof,
        address[] calldata signers
    ) external;

    /// @notice Set the slash fractions (owner only).
    function setSlashAmounts(uint64 equivocationWad, uint64 wrongResultWad) external;

    /// @notice Whether `operatorId` was slashed for `fault` on `taskIndex`.
    function isSlashed(uint32 taskIndex, bytes32 operatorId, Fault fault) external view returns (bool);

    /// @notice Whether `operatorId` was slashed for any fault on `taskIndex` (it then forfeits
    ///         its share of that task's fee).
    function isFaulty(uint32 taskIndex, bytes32 operatorId) external view returns (bool);
}
