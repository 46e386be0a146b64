// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {BlockHistory} from "../libraries/BlockHistory.sol";

/// @title State of the allocation manager and its read-only functions.
/// @dev Storage: per AVS: _registrar, _hasMetadata; per set key (avs || uint96 id): _setExists,
///      _slasher, _slashCount, _members, _setStrategies, _setHasStrategy; per operator:
///      _delayInfo, _registration[set], _allocations[set][strategy], _encumbered[strategy],
///      _maxMagnitudeHistory[strategy] (BlockHistory; empty means 1e18).
abstract contract AllocationManagerStorage is IAllocationManager {
    using BlockHistory for uint256[];
    using EnumerableSet for EnumerableSet.AddressSet;

    uint64 internal constant WAD = 1e18;

    struct Registration {
        bool registered;
        /// @dev Last block the operator stays slashable after leaving.
        uint32 slashableUntil;
    }

    struct DelayInfo {
        uint32 delay;
        bool isSet;
        uint32 pendingDelay;
        uint32 effectBlock;
    }

    /// @inheritdoc IAllocationManager
    IDelegationManager public immutable delegation;
    /// @inheritdoc IAllocationManager
    uint32 public immutable DEALLOCATION_DELAY;
    /// @inheritdoc IAllocationManager
    uint32 public immutable ALLOCATION_CONFIGURATION_DELAY;

    mapping(address => IAVSRegistrar) internal _registrar;
    mapping(address => bool) internal _hasMetadata;
    mapping(bytes32 => bool) internal _setExists;
    mapping(bytes32 => address) internal _slasher;
    mapping(bytes32 => uint256) internal _slashCount;
    mapping(bytes32 => EnumerableSet.AddressSet) internal _members;
    mapping(bytes32 => IStrategy[]) internal _setStrategies;
    mapping(bytes32 => mapping(IStrategy => bool)) internal _setHasStrategy;
    mapping(address => DelayInfo) internal _delayInfo;
    mapping(address => mapping(bytes32 => Registration)) internal _registration;
    mapping(address => mapping(bytes32 => mapping(IStrategy => Allocation))) internal _allocations;
    mapping(address => mapping(IStrategy => uint64)) internal _encumbered;
    mapping(address => mapping(IStrategy => uint256[])) internal _maxMagnitudeHistory;

    /// @param delegation_ The delegation manager.
    /// @param deallocationDelay Blocks a decrease or a deregistration stays slashable.
    /// @param allocationConfigurationDelay Blocks before a changed allocation delay applies.
    constructor(IDelegationManager delegation_, uint32 deallocationDelay, uint32 allocationConfigurationDelay) {
        delegation = delegation_;
        DEALLOCATION_DELAY = deallocationDelay;
        ALLOCATION_CONFIGURATION_DELAY = allocationConfigurationDelay;
    }

    function _key(OperatorSet memory set) internal pure returns (bytes32) {
        return bytes32(abi.encodePacked(set.avs, uint96(set.id)));
    }

    function _existingKey(OperatorSet memory set) internal view returns (bytes32 key) {
        key = _key(set);
        if (!_setExists[key]) revert InvalidOperatorSet();
    }

    function _isSlashable(address operator, bytes32 key) internal view returns (bool) {
        Registration memory r = _registration[operator][key];
        return r.registered || block.number <= r.slashableUntil;
    }

    function _maxMagnitude(address operator, IStrategy strategy) internal view returns (uint64) {
        uint256[] storage h = _maxMagnitudeHistory[operator][strategy];
        if (h.length == 0) return WAD;
        return uint64(h.latest());
    }

    /// @dev The allocation with a pending change applied once its effect block is reached.
    function _effective(address operator, bytes32 key, IStrategy strategy)
        internal
        view
        returns (Allocation memory a)
    {
        a = _allocations[operator][key][strategy];
        if (a.effectBlock != 0 && block.number >= a.effectBlock) {
            a.currentMagnitude = uint64(uint128(int128(uint128(a.currentMagnitude)) + a.pendingDiff));
            a.pendingDiff = 0;
            a.effectBlock = 0;
        }
    }

    /// @dev Magnitude in force at `futureBlock` counting only what is already slashable now:
    ///      pending increases never count, pending decreases count until they take effect.
    function _minimumMagnitude(address operator, bytes32 key, IStrategy strategy, uint32 futureBlock)
        internal
        view
        returns (uint64)
    {
        Allocation memory a = _effective(operator, key, strategy);
        if (a.pendingDiff < 0 && futureBlock >= a.effectBlock) {
            return a.currentMagnitude - uint64(uint128(-a.pendingDiff));
        }
        return a.currentMagnitude;
    }

    function _stakes(
        OperatorSet memory set,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock,
        bool slashableOnly
    ) internal view returns (uint256[][] memory stakes) {
        bytes32 key = _key(set);
        stakes = new uint256[][](operators.length);
        for (uint256 i = 0; i < operators.length; ++i) {
            stakes[i] = new uint256[](strategies.length);
            if (slashableOnly && !_isSlashable(operators[i], key)) continue;
            uint256[] memory shares = delegation.getOperatorShares(operators[i], strategies);
            for (uint256 j = 0; j < strategies.length; ++j) {
                uint64 maxMag = _maxMagnitude(operators[i], strategies[j]);
                if (maxMag == 0) continue;
                uint64 mag = _minimumMagnitude(operators[i], key, strategies[j], futureBlock);
                stakes[i][j] = Math.mulDiv(shares[j], mag, maxMag);
            }
        }
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAllocationManager
    function getMinimumSlashableStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies,
        uint32 futureBlock
    ) external view returns (uint256[][] memory) {
        return _stakes(operatorSet, operators, strategies, futureBlock, true);
    }

    /// @inheritdoc IAllocationManager
    function getAllocatedStake(
        OperatorSet memory operatorSet,
        address[] memory operators,
        IStrategy[] memory strategies
    ) external view returns (uint256[][] memory) {
        return _stakes(operatorSet, operators, strategies, uint32(block.number), false);
    }

    /// @inheritdoc IAllocationManager
    function getAllocation(address operator, OperatorSet memory operatorSet, IStrategy strategy)
        external
        view
        returns (Allocation memory)
    {
        return _effective(operator, _key(operatorSet), strategy);
    }

    /// @inheritdoc IAllocationManager
    function getEncumberedMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _encumbered[operator][strategy];
    }

    /// @inheritdoc IAllocationManager
    function getAllocatableMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _maxMagnitude(operator, strategy) - _encumbered[operator][strategy];
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitude(address operator, IStrategy strategy) external view returns (uint64) {
        return _maxMagnitude(operator, strategy);
    }

    /// @inheritdoc IAllocationManager
    function getMaxMagnitudesAtBlock(address operator, IStrategy[] calldata strategies, uint32 blockNumber)
        external
        view
        returns (uint64[] memory magnitudes)
    {
        magnitudes = new uint64[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            (bool found,, uint192 value) = _maxMagnitudeHistory[operator][strategies[i]].search(blockNumber);
            magnitudes[i] = found ? uint64(value) : WAD;
        }
    }

    /// @inheritdoc IAllocationManager
    function getAllocationDelay(address operator) public view returns (bool isSet, uint32 delay) {
        DelayInfo memory info = _delayInfo[operator];
        if (info.effectBlock != 0 && block.number >= info.effectBlock) return (true, info.pendingDelay);
        return (info.isSet, info.delay);
    }

    /// @inheritdoc IAllocationManager
    function isMemberOfOperatorSet(address operator, OperatorSet memory operatorSet)
        external
        view
        returns (bool)
    {
        return _registration[operator][_key(operatorSet)].registered;
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSet(OperatorSet memory operatorSet) external view returns (bool) {
        return _setExists[_key(operatorSet)];
    }

    /// @inheritdoc IAllocationManager
    function getMembers(OperatorSet memory operatorSet) external view returns (address[] memory) {
        return _members[_key(operatorSet)].values();
    }

    /// @inheritdoc IAllocationManager
    function getMemberCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _members[_key(operatorSet)].length();
    }

    /// @inheritdoc IAllocationManager
    function getAVSRegistrar(address avs) public view returns (IAVSRegistrar) {
        IAVSRegistrar registrar = _registrar[avs];
        return address(registrar) == address(0) ? IAVSRegistrar(avs) : registrar;
    }

    /// @inheritdoc IAllocationManager
    function getStrategiesInOperatorSet(OperatorSet memory operatorSet)
        external
        view
        returns (IStrategy[] memory)
    {
        return _setStrategies[_key(operatorSet)];
    }

    /// @inheritdoc IAllocationManager
    function isOperatorSlashable(address operator, OperatorSet memory operatorSet)
        external
        view
        returns (bool)
    {
        return _isSlashable(operator, _key(operatorSet));
    }

    /// @inheritdoc IAllocationManager
    function getSlasher(OperatorSet memory operatorSet) external view returns (address) {
        return _slasher[_key(operatorSet)];
    }

    /// @inheritdoc IAllocationManager
    function getSlashCount(OperatorSet memory operatorSet) external view returns (uint256) {
        return _slashCount[_key(operatorSet)];
    }
}
