// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";

/// @title State of the delegation manager and its read-only functions.
/// @dev Storage: strategyManager, allocationManager (set once), delegatedTo, delegationApprover,
///      _operatorShares[operator][strategy], _scaledShares[staker][strategy] (the staker's
///      deposit shares), _stakerStrategies[staker] (non-zero balances, at most 8),
///      _queued[root], cumulativeWithdrawalsQueued[staker], delegationApproverSaltIsSpent.
abstract contract DelegationManagerStorage is IDelegationManager {
    uint256 internal constant WAD = 1e18;
    /// @notice Most strategies one staker may hold (bounds the undelegate loop).
    uint256 public constant MAX_STAKER_STRATEGIES = 8;
    /// @inheritdoc IDelegationManager
    bytes32 public constant DELEGATION_APPROVAL_TYPEHASH = keccak256(
        "DelegationApproval(address delegationApprover,address staker,address operator,bytes32 salt,uint256 expiry)"
    );

    /// @notice Token custody (set once by the owner).
    IStrategyManager public strategyManager;
    /// @notice Magnitude bookkeeping (set once by the owner).
    IAllocationManager public allocationManager;
    /// @inheritdoc IDelegationManager
    uint32 public immutable minWithdrawalDelayBlocks;

    /// @inheritdoc IDelegationManager
    mapping(address => address) public delegatedTo;
    /// @inheritdoc IDelegationManager
    mapping(address => address) public delegationApprover;
    /// @inheritdoc IDelegationManager
    mapping(address => uint256) public cumulativeWithdrawalsQueued;
    /// @inheritdoc IDelegationManager
    mapping(address => mapping(bytes32 => bool)) public delegationApproverSaltIsSpent;
    mapping(address => mapping(IStrategy => uint256)) internal _operatorShares;
    mapping(address => mapping(IStrategy => uint256)) internal _scaledShares;
    mapping(address => IStrategy[]) internal _stakerStrategies;
    mapping(bytes32 => Withdrawal) internal _queued;

    /// @param withdrawalDelayBlocks Blocks a queued withdrawal stays slashable.
    constructor(uint32 withdrawalDelayBlocks) {
        minWithdrawalDelayBlocks = withdrawalDelayBlocks;
    }

    function _maxMagnitude(address operator, IStrategy strategy) internal view returns (uint64) {
        if (operator == address(0)) return uint64(WAD);
        return allocationManager.getMaxMagnitude(operator, strategy);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IDelegationManager
    function isDelegated(address staker) public view returns (bool) {
        return delegatedTo[staker] != address(0);
    }

    /// @inheritdoc IDelegationManager
    function isOperator(address operator) public view returns (bool) {
        return operator != address(0) && delegatedTo[operator] == operator;
    }

    /// @inheritdoc IDelegationManager
    function getOperatorShares(address operator, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory shares)
    {
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            shares[i] = _operatorShares[operator][strategies[i]];
        }
    }

    /// @inheritdoc IDelegationManager
    function getWithdrawableShares(address staker, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory withdrawableShares, uint256[] memory depositShares)
    {
        address operator = delegatedTo[staker];
        withdrawableShares = new uint256[](strategies.length);
        depositShares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            depositShares[i] = _scaledShares[staker][strategies[i]];
            withdrawableShares[i] = depositShares[i] * _maxMagnitude(operator, strategies[i]) / WAD;
        }
    }

    /// @inheritdoc IDelegationManager
    function getDepositedShares(address staker) external view returns (IStrategy[] memory strategies, uint256[] memory shares) {
        strategies = _stakerStrategies[staker];
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            shares[i] = _scaledShares[staker][strategies[i]];
        }
    }

    /// @inheritdoc IDelegationManager
    function getQueuedWithdrawal(bytes32 withdrawalRoot)
        external
        view
        returns (Withdrawal memory withdrawal, uint256[] memory shares)
    {
        withdrawal = _queued[withdrawalRoot];
        shares = new uint256[](withdrawal.strategies.length);
        for (uint256 i = 0; i < shares.length; ++i) {
            shares[i] = withdrawal.scaledShares[i] * _maxMagnitude(withdrawal.delegatedTo, withdrawal.strategies[i]) / WAD;
        }
    }

    /// @inheritdoc IDelegationManager
    function calculateWithdrawalRoot(Withdrawal memory withdrawal) public pure returns (bytes32) {
        return keccak256(abi.encode(withdrawal));
    }
}
