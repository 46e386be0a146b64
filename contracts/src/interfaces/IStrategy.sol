// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title A custody vault for one ERC20 token (EigenLayer IStrategy shape).
/// @notice Shares are 1:1 with tokens: tokens only leave through share withdrawals or burns.
interface IStrategy {
    /// @notice Only the strategy manager may move funds.
    error OnlyStrategyManager();
    /// @notice The token does not match this strategy's underlying token.
    error WrongToken(address expected, address given);

    /// @notice Credit `amount` tokens already transferred in; returns the new shares.
    function deposit(IERC20 token, uint256 amount) external returns (uint256 newShares);

    /// @notice Pay `amountShares` worth of tokens to `recipient`.
    function withdraw(address recipient, IERC20 token, uint256 amountShares) external;

    /// @notice The ERC20 this strategy holds.
    function underlyingToken() external view returns (IERC20);

    /// @notice Total shares outstanding.
    function totalShares() external view returns (uint256);

    /// @notice Token amount for `amountShares` (1:1).
    function sharesToUnderlyingView(uint256 amountShares) external view returns (uint256);
}
