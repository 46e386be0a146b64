// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";

/// @title Custody vault of one ERC20 token; shares are 1:1 with tokens.
/// @notice EigenLayer's StrategyBase keeps an exchange rate; this devnet core does not need one,
///         because tokens leave only through share withdrawals and share burns (1:1), so the
///         rate never moves. Tokens sent here directly (donations) are not credited to anyone.
/// @dev Storage: totalShares (slot 0). Immutables: strategyManager, underlyingToken.
contract StrategyBase is IStrategy {
    using SafeERC20 for IERC20;

    /// @notice The only contract allowed to move funds.
    address public immutable strategyManager;
    /// @inheritdoc IStrategy
    IERC20 public immutable underlyingToken;
    /// @inheritdoc IStrategy
    uint256 public totalShares;

    /// @param strategyManager_ The strategy manager.
    /// @param token The underlying ERC20 token.
    constructor(address strategyManager_, IERC20 token) {
        strategyManager = strategyManager_;
        underlyingToken = token;
    }

    modifier onlyStrategyManager() {
        if (msg.sender != strategyManager) revert OnlyStrategyManager();
        _;
    }

    /// @inheritdoc IStrategy
    function deposit(IERC20 token, uint256 amount)
        external
        onlyStrategyManager
        returns (uint256 newShares)
    {
        if (token != underlyingToken) revert WrongToken(address(underlyingToken), address(token));
        newShares = amount;
        totalShares += newShares;
    }

    /// @inheritdoc IStrategy
    function withdraw(address recipient, IERC20 token, uint256 amountShares)
        external
        onlyStrategyManager
    {
        if (token != underlyingToken) revert WrongToken(address(underlyingToken), address(token));
        totalShares -= amountShares;
        underlyingToken.safeTransfer(recipient, amountShares);
    }

    /// @inheritdoc IStrategy
    function sharesToUnderlyingView(uint256 amountShares) external pure returns (uint256) {
        return amountShares;
    }
}
