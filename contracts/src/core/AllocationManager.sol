// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IPermissionController} from "../interfaces/IPermissionController.sol";
import {BlockHistory} from "../libraries/BlockHistory.sol";
import {AllocationManagerStorage} from "./AllocationManagerStorage.sol";
import {PermissionControllerMixin} from "./PermissionControllerMixin.sol";

/// @title Operator sets, allocations of operator stake to them, and slashing.
/// @notice EigenLayer's AllocationManager semantics: an operator allocates a magnitude (1e18 =
///         all of its delegated stake) of each strategy to operator sets. An increase becomes
///         slashable only after the operator's allocation delay; a decrease of a slashable
///         allocation, and a deregistration, keep the stake slashable for DEALLOCATION_DELAY
///         blocks. `slashOperator` (the set's slasher only) removes a fraction of the allocated
///         magnitude and lowers the max magnitude by the same amount, which the delegation
///         manager turns into a proportional loss for every delegator. Account-scoped calls
///         go through the permission controller, so an AVS contract can appoint its registry.
contract AllocationManager is AllocationManagerStorage, PermissionControllerMixin {
    using BlockHistory for uint256[];
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @param delegation_ The delegation manager.
    /// @param permissionController_ Who may act for operators and AVSs.
    /// @param deallocationDelay Blocks a decrease or a deregistration stays slashable.
    /// @param allocationConfigurationDelay Blocks before a changed allocation delay applies.
    constructor(
        IDelegationManager delegation_,
        IPermissionController permissionController_,
        uint32 deallocationDelay,
        uint32 allocationConfigurationDelay
    )
        AllocationManagerStorage(delegation_, deallocationDelay, allocationConfigurationDelay)
        PermissionControllerMixin(permissionController_)
    {}

    // ---------------------------------------------------------------- AVS configuration

    /// @inheritdoc IAllocationManager
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external checkCanCall(avs) {
        if (!registrar.supportsAVS(avs)) revert InvalidAVSRegistrar();
        _registrar[avs] = registrar;
        emit AVSRegistrarSet(avs, registrar);
    }

    /// @inheritdoc IAllocationManager
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external checkCanCall(avs) {
        _hasMetadata[avs] = true;
        emit AVSMetadataURIUpdated(avs, metadataURI);
    }

    /// @inheritdoc IAllocationManager
    function createOperatorSets(address avs, CreateSetParams[] calldata params) external checkCanCall(avs) {
        if (!_hasMetadata[avs]) revert NonexistentAVSMetadata();
        for (uint256 i = 0; i < params.length; ++i) {
            _createSet(avs, params[i].operatorSetId, params[i].strategies, avs);
        }
    }

    /// @inheritdoc IAllocationManager
    function createOperatorSets(address avs, CreateSetParamsV2[] calldata params) external checkCanCall(avs) {
        if (!_hasMetadata[avs]) revert NonexistentAVSMetadata();
        for (uint256 i = 0; i < params.length; ++i) {
            _createSet(avs, params[i].operatorSetId, params[i].strategies, params[i].slasher);
        }
    }

    function _createSet(address avs, uint32 id, IStrategy[] calldata strategies, address slasher) private {
        OperatorSet memory set = OperatorSet(avs, id);
        bytes32 key = _key(set);
        if (_setExists[key]) revert InvalidOperatorSet();
        _setExists[key] = true;
        _slasher[key] = slasher;
        emit OperatorSetCreated(set);
        for (uint256 j = 0; j < strategies.length; ++j) {
            IStrategy s = strategies[j];
            if (_setHasStrategy[key][s]) revert StrategyAlreadyInOperatorSet();
            _setHasStrategy[key][s] = true;
            _setStrategies[key].push(s);
            emit StrategyAddedToOperatorSet(set, s);
        }
        emit SlasherUpdated(set, slasher, uint32(block.number));
    }

    // ---------------------------------------------------------------- membership

    /// @inheritdoc IAllocationManager
    function registerForOperatorSets(address operator, RegisterParams calldata params)
        external
        checkCanCall(operator)
    {
        if (!delegation.isOperator(operator)) revert InvalidOperator();
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            OperatorSet memory set = OperatorSet(params.avs, params.operatorSetIds[i]);
            bytes32 key = _existingKey(set);
            if (!_members[key].add(operator)) revert AlreadyMemberOfSet();
            _registration[operator][key] = Registration(true, 0);
            emit OperatorAddedToOperatorSet(operator, set);
        }
        getAVSRegistrar(params.avs).registerOperator(operator, params.avs, params.operatorSetIds, params.data);
    }

    /// @inheritdoc IAllocationManager
    function deregisterFromOperatorSets(DeregisterParams calldata params) external {
        if (!_canCall(params.operator) && !_canCall(params.avs)) revert InvalidCaller();
        uint32 slashableUntil = uint32(block.number) + DEALLOCATION_DELAY;
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            OperatorSet memory set = OperatorSet(params.avs, params.operatorSetIds[i]);
            bytes32 key = _existingKey(set);
            if (!_members[key].remove(params.operator)) revert NotMemberOfSet();
            _registration[params.operator][key] = Registration(false, slashableUntil);
            emit OperatorRemovedFromOperatorSet(params.operator, set);
        }
        getAVSRegistrar(params.avs).deregisterOperator(params.operator, params.avs, params.operatorSetIds);
    }

    // ---------------------------------------------------------------- allocations

    /// @inheritdoc IAllocationManager
    function setAllocationDelay(address operator, uint32 delay) external {
        // the delegation manager sets the delay of a newly registered operator: in force at once
        bool newlyRegistered = msg.sender == address(delegation);
        if (!newlyRegistered) {
            if (!_canCall(operator)) revert InvalidPermissions();
            if (!delegation.isOperator(operator)) revert InvalidOperator();
        }
        (bool isSet, uint32 current) = getAllocationDelay(operator);
        DelayInfo memory info = DelayInfo(current, isSet, delay, 0);
        if (newlyRegistered) {
            info.delay = delay;
            info.isSet = true;
            info.effectBlock = uint32(block.number);
        } else {
            info.effectBlock = uint32(block.number) + ALLOCATION_CONFIGURATION_DELAY + 1;
        }
        _delayInfo[operator] = info;
        emit AllocationDelaySet(operator, delay, info.effectBlock);
    }

    /// @inheritdoc IAllocationManager
    function modifyAllocations(address operator, AllocateParams[] calldata params)
        external
        checkCanCall(operator)
    {
        (bool isSet, uint32 allocationDelay) = getAllocationDelay(operator);
        if (!isSet) revert UninitializedAllocationDelay();
        for (uint256 i = 0; i < params.length; ++i) {
            AllocateParams calldata p = params[i];
            if (p.strategies.length != p.newMagnitudes.length) revert InputArrayLengthMismatch();
            bytes32 key = _existingKey(p.operatorSet);
            bool slashable = _isSlashable(operator, key);
            for (uint256 j = 0; j < p.strategies.length; ++j) {
                _modify(operator, p.operatorSet, key, p.strategies[j], p.newMagnitudes[j], slashable, allocationDelay);
            }
        }
    }

    function _modify(
        address operator,
        OperatorSet calldata set,
        bytes32 key,
        IStrategy strategy,
        uint64 newMagnitude,
        bool slashable,
        uint32 allocationDelay
    ) private {
        Allocation storage a = _applyDue(operator, key, strategy);
        if (a.effectBlock != 0) revert ModificationAlreadyPending();
        uint64 current = a.currentMagnitude;
        if (newMagnitude == current) revert SameMagnitude();
        uint64 encumbered = _encumbered[operator][strategy];
        if (newMagnitude > current) {
            // magnitude is reserved now, slashable (and counted) after the allocation delay
            encumbered += newMagnitude - current;
            if (encumbered > _maxMagnitude(operator, strategy)) revert InsufficientMagnitude();
            a.pendingDiff = int128(uint128(newMagnitude - current));
            a.effectBlock = uint32(block.number) + allocationDelay;
        } else if (slashable) {
            // stays slashable (and counted) for the whole deallocation delay
            a.pendingDiff = -int128(uint128(current - newMagnitude));
            a.effectBlock = uint32(block.number) + DEALLOCATION_DELAY + 1;
        } else {
            encumbered -= current - newMagnitude;
            a.currentMagnitude = newMagnitude;
        }
        if (a.effectBlock != 0 && a.effectBlock <= block.number) {
            // a zero allocation delay: the increase is in force at once
            a.currentMagnitude = newMagnitude;
            a.pendingDiff = 0;
            a.effectBlock = 0;
        }
        _setEncumbered(operator, strategy, encumbered);
        uint32 effectBlock = a.effectBlock == 0 ? uint32(block.number) : a.effectBlock;
        emit AllocationUpdated(operator, set, strategy, newMagnitude, effectBlock);
    }

    function _applyDue(address operator, bytes32 key, IStrategy strategy) private returns (Allocation storage a) {
        a = _allocations[operator][key][strategy];
        if (a.effectBlock != 0 && block.number >= a.effectBlock) {
            int128 diff = a.pendingDiff;
            a.currentMagnitude = uint64(uint128(int128(uint128(a.currentMagnitude)) + diff));
            a.pendingDiff = 0;
            a.effectBlock = 0;
            if (diff < 0) {
                _setEncumbered(operator, strategy, _encumbered[operator][strategy] - uint64(uint128(-diff)));
            }
        }
    }

    function _setEncumbered(address operator, IStrategy strategy, uint64 value) private {
        if (_encumbered[operator][strategy] == value) return;
        _encumbered[operator][strategy] = value;
        emit EncumberedMagnitudeUpdated(operator, strategy, value);
    }

    // ---------------------------------------------------------------- slashing

    /// @inheritdoc IAllocationManager
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares)
    {
        OperatorSet memory set = OperatorSet(avs, params.operatorSetId);
        if (params.strategies.length != params.wadsToSlash.length) revert InputArrayLengthMismatch();
        bytes32 key = _existingKey(set);
        if (!_isSlashable(params.operator, key)) revert OperatorNotSlashable();
        if (msg.sender != _slasher[key]) revert InvalidCaller();
        slashId = ++_slashCount[key];
        shares = new uint256[](params.strategies.length);
        for (uint256 i = 0; i < params.strategies.length; ++i) {
            shares[i] = _slash(params.operator, set, key, slashId, params.strategies[i], params.wadsToSlash[i]);
        }
        emit OperatorSlashed(params.operator, set, params.strategies, params.wadsToSlash, params.description);
    }

    function _slash(
        address operator,
        OperatorSet memory set,
        bytes32 key,
        uint256 slashId,
        IStrategy strategy,
        uint256 wad
    ) private returns (uint256) {
        if (wad == 0 || wad > WAD) revert InvalidWadToSlash();
        if (!_setHasStrategy[key][strategy]) revert StrategyNotInOperatorSet();
        Allocation storage a = _applyDue(operator, key, strategy);
        uint64 current = a.currentMagnitude;
        if (current == 0) return 0;
        uint64 slashed = uint64(Math.mulDiv(current, wad, WAD, Math.Rounding.Ceil));
        a.currentMagnitude = current - slashed;
        if (a.pendingDiff < 0) {
            // a pending decrease shrinks by the same fraction
            uint256 pending = uint128(-a.pendingDiff);
            a.pendingDiff += int128(uint128(Math.mulDiv(pending, wad, WAD, Math.Rounding.Ceil)));
        }
        _setEncumbered(operator, strategy, _encumbered[operator][strategy] - slashed);
        uint64 prevMax = _maxMagnitude(operator, strategy);
        uint64 newMax = prevMax - slashed;
        _maxMagnitudeHistory[operator][strategy].record(newMax);
        emit AllocationUpdated(operator, set, strategy, a.currentMagnitude, uint32(block.number));
        emit MaxMagnitudeUpdated(operator, strategy, newMax);
        return delegation.slashOperatorShares(operator, set, slashId, strategy, prevMax, newMax);
    }
}
