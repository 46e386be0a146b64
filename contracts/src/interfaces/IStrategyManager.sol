// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStrategy} from "./IStrategy.sol";

/// @title Errors of the strategy manager.
interface IStrategyManagerErrors {
    /// @notice The strategy is not on the deposit whitelist.
    error StrategyNotWhitelisted(address strategy);
    /// @notice Only the delegation manager may call this.
    error OnlyDelegationManager();
    /// @notice Deposits of zero tokens are refused.
    error ZeroAmount();
}

/// @title Events of the strategy manager.
interface IStrategyManagerEvents {
    /// @notice `staker` deposited into `strategy` and received `shares` new shares.
    event Deposit(address staker, IStrategy strategy, uint256 shares);
    /// @notice `strategy` was added to the deposit whitelist.
    event StrategyAddedToDepositWhitelist(IStrategy strategy);
    /// @notice Slashed shares were queued for burning.
    event BurnableSharesIncreased(IStrategy strategy, uint256 shares);
    /// @notice Burnable shares were burned (tokens sent to the dead address).
    event BurnableSharesDecreased(IStrategy strategy, uint256 shares);
}

/// @title Token custody entry point of the restaking core (EigenLayer IStrategyManager signatures for every function and event here).
interface IStrategyManager is IStrategyManagerErrors, IStrategyManagerEvents {
    /// @notice Deposit `amount` of `token` into `strategy`, crediting the caller (needs approval).
    function depositIntoStrategy(IStrategy strategy, IERC20 token, uint256 amount)
        external
        returns (uint256 depositShares);

    /// @notice Pay a completed withdrawal out in `token` (delegation manager only).
    function withdrawSharesAsTokens(address staker, IStrategy strategy, IERC20 token, uint256 shares) external;

    /// @notice Record slashed shares for burning (delegation manager only).
    function increaseBurnableShares(IStrategy strategy, uint256 shares) external;

    /// @notice Burn the slashed shares of `strategy` by sending their tokens to the dead address.
    function burnShares(IStrategy strategy) external;

    /// @notice Allow deposits into `strategies` (owner only).
    function addStrategiesToDepositWhitelist(IStrategy[] calldata strategies) external;

    /// @notice Whether deposits into `strategy` are allowed.
    function strategyIsWhitelistedForDeposit(IStrategy strategy) external view returns (bool);

    /// @notice Slashed shares of `strategy` not yet burned.
    function getBurnableShares(IStrategy strategy) external view returns (uint256);
}
