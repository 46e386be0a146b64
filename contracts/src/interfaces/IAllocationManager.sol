// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IStrategy} from "./IStrategy.sol";
import {IAVSRegistrar} from "./IAVSRegistrar.sol";

/// @title Types of the allocation manager (EigenLayer shapes).
interface IAllocationManagerTypes {
    /// @notice An operator set: an AVS address and an id the AVS chose.
    struct OperatorSet {
        address avs;
        uint32 id;
    }

    /// @notice Parameters to create one operator set.
    struct CreateSetParams {
        uint32 operatorSetId;
        IStrategy[] strategies;
    }

    /// @notice New magnitudes (1e18 = all of the operator's stake) per strategy for one set.
    struct AllocateParams {
        OperatorSet operatorSet;
        IStrategy[] strategies;
        uint64[] newMagnitudes;
    }

    /// @notice An operator's allocation to one set in one strategy.
    /// @param currentMagnitude Magnitude in force (includes a pending decrease until it takes effect).
    /// @param pendingDiff Pending decrease (negative) or 0.
    /// @param effectBlock Block at which the pending decrease takes effect.
    struct Allocation {
        uint64 currentMagnitude;
        int128 pendingDiff;
        uint32 effectBlock;
    }

    /// @notice Registration request forwarded to the AVS registrar.
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

    /// @notice A slash: fraction `wadsToSlash[i]` (1e18 = 100%) of the allocation in each strategy.
    struct SlashingParams {
        address operator;
        uint32 operatorSetId;
        IStrategy[] strategies;
        uint256[] wadsToSlash;
        string description;
    }
}

/// @title Errors of the allocation manager.
interface IAllocationManagerErrors {
    /// @notice The caller may not act for this operator or AVS.
    error InvalidCaller();
    /// @notice The operator set does not exist.
    error InvalidOperatorSet(address avs, uint32 id);
    /// @notice The operator set already exists.
    error OperatorSetAlreadyExists(uint32 id);
    /// @notice The strategy is not part of the operator set.
    error StrategyNotInOperatorSet(address strategy);
    /// @notice The address is not a registered operator.
    error NotOperator(address operator);
    /// @notice Already registered for the operator set.
    error AlreadyMemberOfSet(uint32 id);
    /// @notice Not registered for the operator set.
    error NotMemberOfSet(uint32 id);
    /// @notice The registrar refuses this AVS.
    error InvalidAVSRegistrar();
    /// @notice No registrar is set for the AVS.
    error NoAVSRegistrar(address avs);
    /// @notice Allocations would exceed the operator's max magnitude.
    error InsufficientMagnitude(uint64 requested, uint64 available);
    /// @notice A decrease is still pending for this allocation.
    error ModificationAlreadyPending();
    /// @notice The slashing fraction must be in (0, 1e18].
    error InvalidWadToSlash();
    /// @notice The operator is neither a member nor within the deallocation delay after leaving.
    error OperatorNotSlashable(address operator, uint32 id);
    /// @notice Array arguments have different lengths.
    error InputArrayLengthMismatch();
}

/// @title Events of the allocation manager.
interface IAllocationManagerEvents {
    /// @notice An AVS set its registrar.
    event AVSRegistrarSet(address indexed avs, address registrar);
    /// @notice An AVS updated its metadata URI.
    event AVSMetadataURIUpdated(address indexed avs, string metadataURI);
    /// @notice An operator set was created with its strategies.
    event OperatorSetCreated(address indexed avs, uint32 indexed id, IStrategy[] strategies);
    /// @notice `operator` joined an operator set.
    event OperatorAddedToOperatorSet(address indexed operator, address indexed avs, uint32 id);
    /// @notice `operator` left an operator set (slashable until `slashableUntil`).
    event OperatorRemovedFromOperatorSet(
        address indexed operator, address indexed avs, uint32 id, uint32 slashableUntil
    );
    /// @notice An allocation changed (`effectBlock` is when `magnitude` takes effect).
    event AllocationUpdated(
        address indexed operator,
        address indexed avs,
        uint32 id,
        address strategy,
        uint64 magnitude,
        uint32 effectBlock
    );
    /// @notice The operator's max magnitude in `strategy` dropped after a slash.
    event MaxMagnitudeUpdated(address indexed operator, address indexed strategy, uint64 maxMagnitude);
    /// @notice An operator was slashed in an operator set.
    event OperatorSlashed(
        address indexed operator,
        address indexed avs,
        uint32 id,
        IStrategy[] strategies,
        uint256[] wadSlashed,
        string description
    );
}

/// @title Operator sets, allocations and slashing (EigenLayer IAllocationManager shape).
/// @notice Simplifications for devnets: allocation increases take effect immediately (no
///         allocation delay); decreases and deregistrations stay slashable for
///         DEALLOCATION_DELAY blocks; an AVS's registrar may act for the AVS, except slashing.
interface IAllocationManager is
    IAllocationManagerTypes,
    IAllocationManagerErrors,
    IAllocationManagerEvents
{
    /// @notice Set the registrar the allocation manager calls back on (de)registration.
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external;

    /// @notice Emit the AVS metadata URI.
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external;

    /// @notice Create operator sets for `avs`.
    function createOperatorSets(address avs, CreateSetParams[] calldata params) external;

    /// @notice Join operator sets; forwards `params.data` to the AVS registrar.
    function registerForOperatorSets(address operator, RegisterParams calldata params) external;

    /// @notice Leave operator sets (operator, AVS or its registrar may call).
    function deregisterFromOperatorSets(DeregisterParams calldata params) external;

    /// @notice Change the operator's allocations.
    function modifyAllocations(address operator, AllocateParams[] calldata params) external;

    /// @notice Apply a due pending decrease (anyone may call).
    function clearDeallocation(address operator, OperatorSet calldata operatorSet, IStrategy strategy)
        external;

    /// @notice Slash a fraction of `params.operator`'s allocation in one of the caller's sets.
    /// @return slashId Sequential id of this slash.
    /// @return shares Shares removed per strategy.
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares);

    /// @notice Delegated shares x allocated magnitude / max magnitude, per operator and strategy.
    function getAllocatedStake(
        OperatorSet calldata operatorSet,
        address[] calldata operators,
        IStrategy[] calldata strategies
    ) external view returns (uint256[][] memory);

    /// @notice The operator's allocation to a set in a strategy (due decreases applied).
    function getAllocation(address operator, OperatorSet calldata operatorSet, IStrategy strategy)
        external
        view
        returns (Allocation memory);

    /// @notice Current max magnitude (1e18 until slashed).
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64);

    /// @notice Max magnitude at a past block.
    function getMaxMagnitudeAtBlock(address operator, IStrategy strategy, uint32 blockNumber)
        external
        view
        returns (uint64);

    /// @notice Sum of the operator's allocations in a strategy.
    function getEncumberedMagnitude(address operator, IStrategy strategy)
        external
        view
        returns (uint64);

    /// @notice Whether the operator is registered for the set.
    function isMemberOfOperatorSet(address operator, OperatorSet calldata operatorSet)
        external
        view
        returns (bool);

    /// @notice Whether the operator can be slashed in the set now.
    function isOperatorSlashable(address operator, OperatorSet calldata operatorSet)
        external
        view
        returns (bool);

    /// @notice Whether the set exists.
    function isOperatorSet(OperatorSet calldata operatorSet) external view returns (bool);

    /// @notice Strategies of an operator set.
    function getStrategiesInOperatorSet(OperatorSet calldata operatorSet)
        external
        view
        returns (IStrategy[] memory);

    /// @notice Blocks a decrease or deregistration stays slashable.
    function DEALLOCATION_DELAY() external view returns (uint32);
}
