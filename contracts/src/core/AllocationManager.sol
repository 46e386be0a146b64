// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {BlockHistory} from "../libraries/BlockHistory.sol";

/// @title Operator sets, allocations of operator stake to them, and slashing.
/// @notice An operator allocates a magnitude (1e18 = all of its delegated stake) of each
///         strategy to operator sets. Its allocated stake in a set is
///         `delegatedShares * currentMagnitude / maxMagnitude`. `slashOperator` removes a fraction
///         of the allocated magnitude and lowers the max magnitude by the same amount, which the
///         delegation manager turns into a proportional loss for every delegator.
/// @dev Storage: getAVSRegistrar[avs]; per set key (avs || uint96 id): _setExists,
///      _setStrategies, _setHasStrategy; per operator: _registration[set],
///      _allocations[set][strategy], _encumbered[strategy], _maxMagnitudeHistory[strategy]
///      (BlockHistory; empty means 1e18); slashCount.
contract AllocationManager is IAllocationManager {
    using BlockHistory for uint256[];

    uint64 private constant WAD = 1e18;

    struct Registration {
        bool registered;
        uint32 slashableUntil;
    }

    /// @notice The share ledger.
    IDelegationManager public immutable delegation;
    /// @inheritdoc IAllocationManager
    uint32 public immutable DEALLOCATION_DELAY;

    /// @notice The registrar of each AVS.
    mapping(address => IAVSRegistrar) public getAVSRegistrar;
    /// @notice Number of slashes so far (the last slash id).
    uint256 public slashCount;

    mapping(bytes32 => bool) private _setExists;
    mapping(bytes32 => IStrategy[]) private _setStrategies;
    mapping(bytes32 => mapping(IStrategy => bool)) private _setHasStrategy;
    mapping(address => mapping(bytes32 => Registration)) private _registration;
    mapping(address => mapping(bytes32 => mapping(IStrategy => Allocation))) private _allocations;
    mapping(address => mapping(IStrategy => uint64)) private _encumbered;
    mapping(address => mapping(IStrategy => uint256[])) private _maxMagnitudeHistory;

    /// @param delegation_ The delegation manager.
    /// @param deallocationDelay Blocks a decrease or a deregistration stays slashable.
    constructor(IDelegationManager delegation_, uint32 deallocationDelay) {
        delegation = delegation_;
        DEALLOCATION_DELAY = deallocationDelay;
    }

    function _key(address avs, uint32 id) private pure returns (bytes32) {
        return bytes32(abi.encodePacked(avs, uint96(id)));
    }

    function _existingKey(address avs, uint32 id) private view returns (bytes32 key) {
        key = _key(avs, id);
        if (!_setExists[key]) revert InvalidOperatorSet(avs, id);
    }

    function _isAvsCaller(address avs) private view returns (bool) {
        return msg.sender == avs || msg.sender == address(getAVSRegistrar[avs]);
    }

    // ---------------------------------------------------------------- AVS configuration

    /// @inheritdoc IAllocationManager
    function setAVSRegistrar(address avs, IAVSRegistrar registrar) external {
        if (msg.sender != avs) revert InvalidCaller();
        if (!registrar.supportsAVS(avs)) revert InvalidAVSRegistrar();
        getAVSRegistrar[avs] = registrar;
        emit AVSRegistrarSet(avs, address(registrar));
    }

    /// @inheritdoc IAllocationManager
    function updateAVSMetadataURI(address avs, string calldata metadataURI) external {
        if (msg.sender != avs) revert InvalidCaller();
        emit AVSMetadataURIUpdated(avs, metadataURI);
    }

    /// @inheritdoc IAllocationManager
    function createOperatorSets(address avs, CreateSetParams[] calldata params) external {
        if (!_isAvsCaller(avs)) revert InvalidCaller();
        for (uint256 i = 0; i < params.length; ++i) {
            bytes32 key = _key(avs, params[i].operatorSetId);
            if (_setExists[key]) revert OperatorSetAlreadyExists(params[i].operatorSetId);
            _setExists[key] = true;
            for (uint256 j = 0; j < params[i].strategies.length; ++j) {
                IStrategy s = params[i].strategies[j];
                if (!_setHasStrategy[key][s]) {
                    _setHasStrategy[key][s] = true;
                    _setStrategies[key].push(s);
                }
            }
            emit OperatorSetCreated(avs, params[i].operatorSetId, params[i].strategies);
        }
    }

    // ---------------------------------------------------------------- membership

    /// @inheritdoc IAllocationManager
    function registerForOperatorSets(address operator, RegisterParams calldata params) external {
        if (msg.sender != operator) revert InvalidCaller();
        if (!delegation.isOperator(operator)) revert NotOperator(operator);
        IAVSRegistrar registrar = getAVSRegistrar[params.avs];
        if (address(registrar) == address(0)) revert NoAVSRegistrar(params.avs);
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            uint32 id = params.operatorSetIds[i];
            bytes32 key = _existingKey(params.avs, id);
            Registration storage r = _registration[operator][key];
            if (r.registered) revert AlreadyMemberOfSet(id);
            r.registered = true;
            r.slashableUntil = 0;
            emit OperatorAddedToOperatorSet(operator, params.avs, id);
        }
        registrar.registerOperator(operator, params.avs, params.operatorSetIds, params.data);
    }

    /// @inheritdoc IAllocationManager
    function deregisterFromOperatorSets(DeregisterParams calldata params) external {
        if (msg.sender != params.operator && !_isAvsCaller(params.avs)) revert InvalidCaller();
        uint32 slashableUntil = uint32(block.number) + DEALLOCATION_DELAY;
        for (uint256 i = 0; i < params.operatorSetIds.length; ++i) {
            uint32 id = params.operatorSetIds[i];
            bytes32 key = _existingKey(params.avs, id);
            Registration storage r = _registration[params.operator][key];
            if (!r.registered) revert NotMemberOfSet(id);
            r.registered = false;
            r.slashableUntil = slashableUntil;
            emit OperatorRemovedFromOperatorSet(params.operator, params.avs, id, slashableUntil);
        }
        IAVSRegistrar registrar = getAVSRegistrar[params.avs];
        if (address(registrar) != address(0)) {
            registrar.deregisterOperator(params.operator, params.avs, params.operatorSetIds);
        }
    }

    // ---------------------------------------------------------------- allocations

    /// @inheritdoc IAllocationManager
    function modifyAllocations(address operator, AllocateParams[] calldata params) external {
        if (msg.sender != operator) revert InvalidCaller();
        if (!delegation.isOperator(operator)) revert NotOperator(operator);
        for (uint256 i = 0; i < params.length; ++i) {
            AllocateParams calldata p = params[i];
            if (p.strategies.length != p.newMagnitudes.length) revert InputArrayLengthMismatch();
            bytes32 key = _existingKey(p.operatorSet.avs, p.operatorSet.id);
            bool slashable = _isSlashable(operator, key);
            for (uint256 j = 0; j < p.strategies.length; ++j) {
                _modify(operator, p.operatorSet, key, p.strategies[j], p.newMagnitudes[j], slashable);
            }
        }
    }

    function _modify(
        address operator,
        OperatorSet calldata set,
        bytes32 key,
        IStrategy strategy,
        uint64 newMagnitude,
        bool slashable
    ) private {
        if (!_setHasStrategy[key][strategy]) revert StrategyNotInOperatorSet(address(strategy));
        Allocation storage a = _applyDue(operator, key, strategy);
        if (a.pendingDiff != 0) revert ModificationAlreadyPending();
        uint64 current = a.currentMagnitude;
        uint32 effectBlock = uint32(block.number);
        if (newMagnitude > current) {
            uint64 increase = newMagnitude - current;
            uint64 encumbered = _encumbered[operator][strategy];
            uint64 available = _maxMagnitude(operator, strategy) - encumbered;
            if (increase > available) revert InsufficientMagnitude(increase, available);
            _encumbered[operator][strategy] = encumbered + increase;
            a.currentMagnitude = newMagnitude;
        } else if (newMagnitude < current) {
            uint64 decrease = current - newMagnitude;
            if (slashable) {
                // stays slashable (and counted) until the delay has passed
                effectBlock += DEALLOCATION_DELAY;
                a.pendingDiff = -int128(uint128(decrease));
                a.effectBlock = effectBlock;
            } else {
                _encumbered[operator][strategy] -= decrease;
                a.currentMagnitude = newMagnitude;
            }
        }
        emit AllocationUpdated(operator, set.avs, set.id, address(strategy), newMagnitude, effectBlock);
    }

    /// @inheritdoc IAllocationManager
    function clearDeallocation(address operator, OperatorSet calldata operatorSet, IStrategy strategy)
        external
    {
        _applyDue(operator, _existingKey(operatorSet.avs, operatorSet.id), strategy);
    }

    function _applyDue(address operator, bytes32 key, IStrategy strategy)
        private
        returns (Allocation storage a)
    {
        a = _allocations[operator][key][strategy];
        if (a.pendingDiff != 0 && block.number >= a.effectBlock) {
            uint64 decrease = uint64(uint128(-a.pendingDiff));
            a.currentMagnitude -= decrease;
            _encumbered[operator][strategy] -= decrease;
            a.pendingDiff = 0;
            a.effectBlock = 0;
        }
    }

    // ---------------------------------------------------------------- slashing

    /// @inheritdoc IAllocationManager
    function slashOperator(address avs, SlashingParams calldata params)
        external
        returns (uint256 slashId, uint256[] memory shares)
    {
        if (msg.sender != avs) revert InvalidCaller();
        if (params.strategies.length != params.wadsToSlash.length) revert InputArrayLengthMismatch();
        bytes32 key = _existingKey(avs, params.operatorSetId);
        if (!_isSlashable(params.operator, key)) {
            revert OperatorNotSlashable(params.operator, params.operatorSetId);
        }
        shares = new uint256[](params.strategies.length);
        for (uint256 i = 0; i < params.strategies.length; ++i) {
            shares[i] = _slash(params.operator, key, params.strategies[i], params.wadsToSlash[i]);
        }
        slashId = ++slashCount;
        emit OperatorSlashed(
            params.operator,
            avs,
            params.operatorSetId,
            params.strategies,
            params.wadsToSlash,
            params.description
        );
    }

    function _slash(address operator, bytes32 key, IStrategy strategy, uint256 wad)
        private
        returns (uint256)
    {
        if (wad == 0 || wad > WAD) revert InvalidWadToSlash();
        if (!_setHasStrategy[key][strategy]) revert StrategyNotInOperatorSet(address(strategy));
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
        _encumbered[operator][strategy] -= slashed;
        uint64 prevMax = _maxMagnitude(operator, strategy);
        uint64 newMax = prevMax - slashed;
        _maxMagnitudeHistory[operator][strategy].record(newMax);
        emit MaxMagnitudeUpdated(operator, address(strategy), newMax);
        return delegation.slashOperatorShares(operator, strategy, prevMax, newMax);
    }

    // ---------------------------------------------------------------- views

    function _isSlashable(address operator, bytes32 key) private view returns (bool) {
        Registration memory r = _registration[operator][key];
        return r.registered || block.number < r.slashableUntil;
    }

    function _maxMagnitude(address operator, IStrategy strategy) private view returns (uint64) {
        uint256[] storage h = _maxMagnitudeHistory[operator][strategy];
        if (h.length == 0) return WAD;
        return uint64(h.latest());
    }

    function _effective(address operator, bytes32 key, IStrategy strategy)
        private
        view
        returns (Allocation memory a)
    {
        a = _allocations[operator][key][strategy];
        if (a.pendingDiff != 0 && block.number >= a.effectBlock) {
            a.currentMagnitude -= uint64(uint128(-a.pendingDiff));
            a.pendingDiff = 0;
            a.effectBlock = 0;
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocatedStake(
        OperatorSet calldata operatorSet,
        address[] calldata operators,
        IStrategy[] calldata strategies
    ) external view returns (uint256[][] memory stakes) {
        bytes32 key = _key(operatorSet.avs, operatorSet.id);
        stakes = new uint256[][](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            stakes[i] = new uint256[](strategies.length);
            for (uint256 j = 0; j < strategies.length; ++j) {
                uint64 maxMag = _maxMagnitude(operators[i], strategies[j]);
                if (maxMag == 0) continue;
                uint64 mag = _effective(operators[i], key, strategies[j]).currentMagnitude;
                uint256 shares = delegation.operatorShares(operators[i], strategies[j]);
                stakes[i][j] = Math.mulDiv(shares, mag, maxMag);
            }
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocation(address operator, OperatorSet calldata operatorSet, IStrategy strategy)
        external
        view
        returns (Allocation memory)
    {
        return _effective(operator, _key(operatorSet.avs, operatorSet.id), strategy);
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _maxMagnitude(operator, strategy);
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitudeAtBlock(address operator, IStrategy strategy, uint32 blockNumber)
        external
        view
        returns (uint64)
    {
        (bool found,, uint192 value) = _maxMagnitudeHistory[operator][strategy].search(blockNumber);
        return found ? uint64(value) : WAD;
    }

    /// @inheritdoc IAllocationManager
    function getEncumberedMagnitude(address operator, IStrategy strategy)
        external
        view
        returns (uint64)
    {
        return _encumbered[operator][strategy];
    }

    /// @inheritdoc IAllocationManager
    function isMemberOfOperatorSet(address operator, OperatorSet calldata operatorSet)
        external
        view
        returns (bool)
    {
        return _registration[operator][_key(operatorSet.avs, operatorSet.id)].registered;
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSlashable(address operator, OperatorSet calldata operatorSet)
        external
        view
        returns (bool)
    {
        return _isSlashable(operator, _key(operatorSet.avs, operatorSet.id));
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSet(OperatorSet calldata operatorSet) external view returns (bool) {
        return _setExists[_key(operatorSet.avs, operatorSet.id)];
    }

    /// @inheritdoc IAllocationManager
    function getStrategiesInOperatorSet(OperatorSet calldata operatorSet)
        external
        view
        returns (IStrategy[] memory)
    {
        return _setStrategies[_key(operatorSet.avs, operatorSet.id)];
    }
}
