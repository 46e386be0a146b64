// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {InputsMerkle} from "./InputsMerkle.sol";
import {IExactTaskVerifier} from "../interfaces/IExactTaskVerifier.sol";
import {IModelRegistry} from "../interfaces/IModelRegistry.sol";
import {ISlashingManagerTypes, ISlashingManagerErrors} from "../interfaces/ISlashingManager.sol";
import {ITaskManagerTypes} from "../interfaces/ITaskManager.sol";

/// @title Decides whether a signed or certified result of an exact task is provably wrong.
library ReExecution {
    /// @notice Entry index reported when the result does not even have inputCount entries.
    uint32 internal constant MALFORMED_RESULT = type(uint32).max;

    /// @notice Reverts unless `proof` shows that `resultHash` is wrong for `task`: either its
    ///         bytes are not inputCount entries long, or entry `proof.index` differs from the
    ///         verifier's re-execution of input `proof.index` (proven against inputsRoot).
    /// @return index The wrong entry (MALFORMED_RESULT for a malformed result).
    /// @return correct The re-executed entry (empty for a malformed result).
    function proveWrong(
        IModelRegistry models,
        ITaskManagerTypes.Task calldata task,
        bytes32 resultHash,
        ISlashingManagerTypes.ReExecutionProof calldata proof
    ) internal view returns (uint32 index, bytes memory correct) {
        IModelRegistry.Model memory model = models.getModel(task.modelId);
        if (!model.exact || model.verifier == address(0)) {
            revert ISlashingManagerErrors.TaskTypeNotExact(task.modelId);
        }
        bytes32 given = keccak256(proof.result);
        if (given != resultHash) revert ISlashingManagerErrors.ResultBytesMismatch(given, resultHash);
        IExactTaskVerifier verifier = IExactTaskVerifier(model.verifier);
        uint256 size = verifier.resultEntrySize();
        // a result of the wrong length is wrong for every input; nothing to re-execute
        if (proof.result.length != uint256(task.inputCount) * size) return (MALFORMED_RESULT, "");
        index = proof.index;
        bool member = InputsMerkle.verify(
            task.inputsRoot, task.inputCount, index, keccak256(proof.input), proof.inputProof
        );
        if (!member) revert ISlashingManagerErrors.InvalidInputProof(index);
        correct = verifier.recompute(proof.model, proof.input);
        bytes calldata claimed = proof.result[index * size:(index + 1) * size];
        if (keccak256(claimed) == keccak256(correct)) revert ISlashingManagerErrors.ResultEntryCorrect(index);
    }
}
