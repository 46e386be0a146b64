// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IStrategy} from "./IStrategy.sol";
import {IAVSRegistrar} from "./IAVSRegistrar.sol";
import {IDelegationManager} from "./IDelegationManager.sol";

/// @title Errors of the allocation manager (EigenLayer IAllocationManagerErrors, subset).
interface IAllocationManagerErrors {
    /// @notice The slashing fraction must be in (0, 1e18].
    error InvalidWadToSlash();
    /// @notice Array arguments have different lengths.
    error InputArrayLengthMismatch();
    /// @notice The registrar does not serve this AVS.
    error InvalidAVSRegistrar();
    /// @notice The caller may not act here (slashing: not the set's slasher).
    error InvalidCaller();
    /// @notice The address is not a registered operator.
    error InvalidOperator();
    /// @notice The AVS has not published a metadata URI yet (required before creating sets).
    error NonexistentAVSMetadata();
    /// @notice The operator has no allocation delay yet (required before allocating).
    error UninitializedAllocationDelay();
    /// @notice The operator is neither a member nor within the deallocation delay after leaving.
    error OperatorNotSlashable();
    /// @notice Already registered for the operator set.
    error AlreadyMemberOfSet();
    /// @notice Not registered for the operator set.
    error NotMemberOfSet();
    /// @notice The operator set does not exist (or, on creation, already exists).
    error InvalidOperatorSet();
    /// @notice The strategy is listed twice for an operator set.
    error StrategyAlreadyInOperatorSet();
    /// @notice The strategy is not part of the operator set.
    error StrategyNotInOperatorSet();
    /// @notice The new magnitude equals the current one.
    error SameMagnitude();
    /// @notice A change of this allocation is still pending.
    error ModificationAlreadyPending();
    /// @notice Allocations would exceed the operator's max magnitude.
    error InsufficientMagnitude();
}

/// @title Types of the allocation manager (EigenLayer IAllocationManagerTypes, subset).
interface IAllocationManagerTypes {
    /// @notice An operator set: an AVS address and an id the AVS chose (EigenLayer OperatorSetLib).
    struct OperatorSet {
        address avs;
        uint32 id;
    }

    /// @notice An operator's allocation to one set in one strategy.
    /// @param currentMagnitude Magnitude in force now (a pending decrease is still counted).
    /// @param pendingDiff Pending change: negative (deallocation) or positive (allocation).
    /// @param effectBlock Block at which the pending change takes effect (0 when none).
    struct Allocation {
        uint64 currentMagnitude;
        int128 pendingDiff;
        uint32 effectBlock;
    }

    /// @notice A slash: fraction `wadsToSlash[i]` (1e18 = 100%) of the allocation in each strategy.
    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }

    /// @notice New magnitudes (1e18 = all of the operator's stake) per strategy for one set.
    struct AllocateParams {
        OperatorSet operatorSet;
        IStrategy[] strategies;
        uint64[] newMagnitudes;
    }

    /// @notice Registration request forwarded to the AVS registrar with `data`.
    struct RegisterParams {
        address avs;
        uint32[] operatorSetIds;
        bytes data;
    }

    /// @notice Deregistration request.
    struct DeregisterParams {
        address operator;
        address avs;
        uint32[] operatorSetIds;
    }

    /// @notice Parameters to create one operator set (its slasher is the AVS itself).
    struct CreateSetParams {
        uint32 operatorSetId;
        IStrategy[] strategies;
    }

    /// @notice Parameters to create one operator set with an explicit slasher.
    struct CreateSetParamsV2 {
        uint32 operatorSetId;
        IStrategy[] strategies;
        address slasher;
    }
}

/// @title Events of the allocation manager (EigenLayer IAllocationManagerEvents, subset).
interface IAllocationManagerEvents is IAllocationManagerTypes {
    /// @notice The operator's allocation delay becomes `delay` at `effectBlock`.
    event AllocationDelaySet(address operator, uint32 delay, uint32 effectBlock);
    /// @notice The slasher of an operator set is `slasher` from `effectBlock` on.
    event SlasherUpdated(OperatorSet operatorSet, address slasher, uint32 effectBlock);
    /// @notice An allocation becomes `magnitude` at `effectBlock`.
    event AllocationUpdated(
        address operator, OperatorSet operatorSet, IStrategy strategy, uint64 magnitude, uint32 effectBlock
    );
    /// @notice The operator's encumbered (allocated or pending) magnitude in `strategy` changed.
    event EncumberedMagnitudeUpdated(address operator, IStrategy strategy, uint64 encumberedMagnitude);
    /// @notice The operator's max magnitude in `strategy` dropped after a slash.
    event MaxMagnitudeUpdated(address operator, IStrategy strategy, uint64 maxMagnitude);
    /// @notice An operator was slashed in an operator set.
    event OperatorSlashed(
        address operator, OperatorSet operatorSet, IStrategy[] strategies, uint256[] wadSlashed, string description
    );
    /// @notice An AVS set its registrar.
    event AVSRegistrarSet(address avs, IAVSRegistrar registrar);
    /// @notice An AVS published its metadata URI (never stored).
    event AVSMetadataURIUpdated(address indexed avs, string metadataURI);
    /// @notice An operator set was created.
    event OperatorSetCreated(OperatorSet operatorSet);
    /// @notice `operator` joined an operator set.
    event OperatorAddedToOperatorSet(address indexed operator, OperatorSet operatorSet);
    /// @notice `operator` left an operator set (slashable for DEALLOCATION_DELAY more blocks).
    event OperatorRemovedFromOperatorSet(address indexed operator, OperatorSet operatorSet);
    /// @notice `strategy` was added to an operator set.
    event StrategyAddedToOperatorSet(OperatorSet operatorSet, IStrategy strategy);
}

/// @title Operator sets, allocations and slashing: exactly EigenLayer's IAllocationManager
///        signatures for every function listed here (v1.x, slashing release).
interface IAllocationManager is IAllocationManagerErrors, IAllocationManagerEvents {
    /// @notice The delegation manager (share ledger).
    function delegation() external view returns (IDelegationManager);

    /// @notice Blocks a deallocation or deregistration stays slashable.
    function DEALLOCATION_DELAY() external view returns (uint32 delay);

    /// @notice Blocks before a changed allocation delay applies (immediate for new operators).
    function ALLOCATION_CONFIGURATION_DELAY() external view returns (uint32);

    /// @notice Slash a fraction of `params.operator`'s allocation in one of `avs`'s sets
    ///         (the set's slasher calls).
    /// @return slashId Per-set sequence number of this slash.
    /// @return shares Shares removed per strategy.
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares);

    /// @notice Change the operator's allocations: increases apply after its allocation delay,
    ///         decreases of slashable allocations after DEALLOCATION_DELAY.
    function modifyAllocations(address operator, AllocateParams[] calldata params) external;

    /// @notice Join operator sets; forwards `params.data` to the AVS registrar.
    function registerForOperatorSets(address operator, RegisterParams calldata params) external;

    /// @notice Leave operator sets (the operator or the AVS, or their appointees, may call).
    function deregisterFromOperatorSets(DeregisterParams calldata params) external;

    /// @notice Set the operator's allocation delay (blocks before an increase is slashable).
    function setAllocationDelay(address operator, uint32 delay) external;

    /// @notice Set the registrar the allocation manager calls back on (de)registration.
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external;

    /// @notice Publish the AVS metadata URI (required once before creating operator sets).
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external;

    /// @notice Create operator sets for `avs` whose slasher is `avs`.
    function createOperatorSets(address avs, CreateSetParams[] calldata params) external;

    /// @notice Create operator sets for `avs` with explicit slashers.
    function createOperatorSets(address avs, CreateSetParamsV2[] calldata params) external;

    /// @notice The operator's allocation to a set in a strategy (due changes applied).
    function getAllocation(address operator, OperatorSet memory operatorSet, IStrategy strategy)
        external
        view
        returns (Allocation memory);

    /// @notice Sum of the operator's allocations and pending allocations in a strategy.
    function getEncumberedMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice Magnitude the operator can still allocate in a strategy.
    function getAllocatableMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice Current max magnitude (1e18 until slashed).
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice Max magnitudes at a past block.
    function getMaxMagnitudesAtBlock(address operator, IStrategy[] calldata strategies, uint32 blockNumber)
        external
        view
        returns (uint64[] memory);

    /// @notice The operator's allocation delay in force now.
    function getAllocationDelay(address operator) external view returns (bool isSet, uint32 delay);

    /// @notice Whether the operator is registered for the set.
    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet)
        external
        view
        returns (bool);

    /// @notice Whether the set exists.
    function isOperatorSet(OperatorSet memory operatorSet) external view returns (bool);

    /// @notice Registered members of the set.
    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory operators);

    /// @notice Number of registered members of the set.
    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256);

    /// @notice The registrar of `avs` (the AVS itself when none was set).
    function getAVSRegistrar(address avs) external view returns (IAVSRegistrar);

    /// @notice Strategies of an operator set.
    function getStrategiesInOperatorSet(OperatorSet memory operatorSet)
        external
        view
        returns (IStrategy[] memory strategies);

    /// @notice Stake that stays slashable in the set until `futureBlock`: deallocations taking
    ///         effect by then and pending allocations are left out; 0 for unslashable operators.
    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory slashableStake);

    /// @notice Delegated shares x allocated magnitude / max magnitude, per operator and strategy.
    function getAllocatedStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory slashableStake);

    /// @notice Whether the operator can be slashed in the set now.
    function isOperatorSlashable(address operator, OperatorSet memory operatorSet)
        external
        view
        returns (bool);

    /// @notice The only address allowed to slash in the set.
    function getSlasher(OperatorSet memory operatorSet) external view returns (address);

    /// @notice Slashes so far in the set (the last slash id).
    function getSlashCount(OperatorSet memory operatorSet) external view returns (uint256);
}
