// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";

/// @title Deposit entry point and custody router of the restaking core.
/// @notice Share accounting per staker lives in the delegation manager (scaled by the
///         operator's max magnitude, so slashes reach every delegator); this contract moves
///         tokens in and out of strategies and burns slashed shares.
/// @dev Storage: strategyIsWhitelistedForDeposit, burnableShares (mappings keyed by strategy).
contract StrategyManager is IStrategyManager, Ownable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Where burned tokens go.
    address public constant BURN_ADDRESS = 0x00000000000000000000000000000000000E16E4;

    /// @notice The delegation manager (share ledger).
    IDelegationManager public immutable delegation;

    /// @inheritdoc IStrategyManager
    mapping(IStrategy => bool) public strategyIsWhitelistedForDeposit;
    mapping(IStrategy => uint256) private _burnableShares;

    /// @param delegation_ The delegation manager.
    /// @param owner_ May whitelist strategies.
    constructor(IDelegationManager delegation_, address owner_) Ownable(owner_) {
        delegation = delegation_;
    }

    modifier onlyDelegationManager() {
        if (msg.sender != address(delegation)) revert OnlyDelegationManager();
        _;
    }

    /// @inheritdoc IStrategyManager
    function addStrategiesToDepositWhitelist(IStrategy[] calldata strategies) external onlyOwner {
        for (uint256 i = 0; i < strategies.length; ++i) {
            strategyIsWhitelistedForDeposit[strategies[i]] = true;
            emit StrategyAddedToDepositWhitelist(strategies[i]);
        }
    }

    /// @inheritdoc IStrategyManager
    function depositIntoStrategy(IStrategy strategy, IERC20 token, uint256 amount)
        external
        nonReentrant
        returns (uint256 depositShares)
    {
        if (!strategyIsWhitelistedForDeposit[strategy]) {
            revert StrategyNotWhitelisted(address(strategy));
        }
        if (amount == 0) revert ZeroAmount();
        token.safeTransferFrom(msg.sender, address(strategy), amount);
        depositShares = strategy.deposit(token, amount);
        delegation.increaseDelegatedShares(msg.sender, strategy, 0, depositShares);
        emit Deposit(msg.sender, strategy, depositShares);
    }

    /// @inheritdoc IStrategyManager
    function withdrawSharesAsTokens(address staker, IStrategy strategy, IERC20 token, uint256 shares)
        external
        onlyDelegationManager
    {
        if (shares != 0) strategy.withdraw(staker, token, shares);
    }

    /// @inheritdoc IStrategyManager
    function increaseBurnableShares(IStrategy strategy, uint256 shares)
        external
        onlyDelegationManager
    {
        _burnableShares[strategy] += shares;
        emit BurnableSharesIncreased(strategy, shares);
    }

    /// @inheritdoc IStrategyManager
    function burnShares(IStrategy strategy) external nonReentrant {
        uint256 shares = _burnableShares[strategy];
        _burnableShares[strategy] = 0;
        if (shares != 0) strategy.withdraw(BURN_ADDRESS, strategy.underlyingToken(), shares);
        emit BurnableSharesDecreased(strategy, shares);
    }

    /// @inheritdoc IStrategyManager
    function getBurnableShares(IStrategy strategy) external view returns (uint256) {
        return _burnableShares[strategy];
    }
}
