// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IStrategy} from "./IStrategy.sol";

/// @title Types of the delegation manager.
interface IDelegationManagerTypes {
    /// @notice A queued withdrawal; its keccak256 is the withdrawal root.
    /// @param staker Who queued it and receives the tokens.
    /// @param delegatedTo The operator the staker was delegated to (slashes of it still apply).
    /// @param strategy The strategy withdrawn from.
    /// @param scaledShares Shares normalised by the operator's max magnitude (1e18 = unslashed).
    /// @param sharesAtQueue Withdrawable shares when queued (upper bound of the payout).
    /// @param startBlock Block the withdrawal was queued in.
    /// @param nonce Per-staker counter making roots unique.
    struct Withdrawal {
        address staker;
        address delegatedTo;
        IStrategy strategy;
        uint256 scaledShares;
        uint256 sharesAtQueue;
        uint32 startBlock;
        uint256 nonce;
    }
}

/// @title Errors of the delegation manager.
interface IDelegationManagerErrors {
    /// @notice The address is already an operator.
    error AlreadyOperator();
    /// @notice The address is not a registered operator.
    error OperatorNotRegistered(address operator);
    /// @notice The staker is already delegated; undelegate first.
    error ActivelyDelegated();
    /// @notice The staker is not delegated.
    error NotDelegated();
    /// @notice Operators are always delegated to themselves.
    error OperatorsCannotUndelegate();
    /// @notice The operator's magnitude in a strategy was slashed to zero.
    error FullySlashed(address operator, address strategy);
    /// @notice More shares requested than are withdrawable.
    error InsufficientShares(uint256 requested, uint256 available);
    /// @notice The withdrawal root is unknown or already completed.
    error WithdrawalNotQueued(bytes32 root);
    /// @notice The withdrawal delay has not passed yet.
    error WithdrawalDelayNotPassed(uint32 completableBlock);
    /// @notice Only the staker of a withdrawal may complete it.
    error NotWithdrawalStaker();
    /// @notice A staker may hold at most MAX_STAKER_STRATEGIES strategies.
    error MaxStrategiesExceeded();
    /// @notice Caller is not the expected core contract.
    error UnauthorizedCaller();
    /// @notice Dependencies were already set.
    error AlreadyInitialized();
    /// @notice Zero amounts are refused.
    error ZeroShares();
}

/// @title Events of the delegation manager.
interface IDelegationManagerEvents {
    /// @notice `operator` registered (and is delegated to itself).
    event OperatorRegistered(address indexed operator, string metadataURI);
    /// @notice `staker` delegated to `operator`.
    event StakerDelegated(address indexed staker, address indexed operator);
    /// @notice `staker` undelegated from `operator`.
    event StakerUndelegated(address indexed staker, address indexed operator);
    /// @notice Delegated shares of `operator` in `strategy` rose by `shares`.
    event OperatorSharesIncreased(
        address indexed operator, address indexed staker, address indexed strategy, uint256 shares
    );
    /// @notice Delegated shares of `operator` in `strategy` fell by `shares`.
    event OperatorSharesDecreased(
        address indexed operator, address indexed staker, address indexed strategy, uint256 shares
    );
    /// @notice A slash removed `shares` from `operator`'s delegated shares in `strategy`.
    event OperatorSharesSlashed(address indexed operator, address indexed strategy, uint256 shares);
    /// @notice A withdrawal was queued.
    event WithdrawalQueued(bytes32 indexed withdrawalRoot, IDelegationManagerTypes.Withdrawal withdrawal);
    /// @notice A withdrawal was completed: `shares` paid out, `burned` lost to slashing meanwhile.
    event WithdrawalCompleted(bytes32 indexed withdrawalRoot, uint256 shares, uint256 burned);
}

/// @title Delegation of stakers to operators (EigenLayer IDelegationManager shape, simplified:
///        no delegation approver, one strategy per withdrawal, payout in tokens only).
interface IDelegationManager is
    IDelegationManagerTypes,
    IDelegationManagerErrors,
    IDelegationManagerEvents
{
    /// @notice Register the caller as an operator; it becomes delegated to itself.
    function registerAsOperator(string calldata metadataURI) external;

    /// @notice Delegate all of the caller's shares to `operator`.
    function delegateTo(address operator) external;

    /// @notice Undelegate the caller, queueing a withdrawal of every position.
    function undelegate() external returns (bytes32[] memory withdrawalRoots);

    /// @notice Queue a withdrawal of `shares` (withdrawable units) from `strategy`.
    function queueWithdrawal(IStrategy strategy, uint256 shares) external returns (bytes32 root);

    /// @notice Complete a queued withdrawal after the delay; pays tokens to the staker.
    function completeQueuedWithdrawal(Withdrawal calldata withdrawal) external;

    /// @notice Credit newly deposited shares (strategy manager only).
    function increaseDelegatedShares(address staker, IStrategy strategy, uint256 shares) external;

    /// @notice Reduce an operator's delegated shares after a magnitude slash (allocation manager only).
    function slashOperatorShares(
        address operator,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external returns (uint256 sharesSlashed);

    /// @notice Whether `operator` is a registered operator.
    function isOperator(address operator) external view returns (bool);

    /// @notice The operator `staker` is delegated to (zero if none).
    function delegatedTo(address staker) external view returns (address);

    /// @notice Shares delegated to `operator` in `strategy`.
    function operatorShares(address operator, IStrategy strategy) external view returns (uint256);

    /// @notice Shares `staker` could withdraw from each of `strategies` now.
    function getWithdrawableShares(address staker, IStrategy[] calldata strategies)
        external
        view
        returns (uint256[] memory);

    /// @notice Blocks between queueing and completing a withdrawal.
    function minWithdrawalDelayBlocks() external view returns (uint32);

    /// @notice keccak256(abi.encode(withdrawal)).
    function calculateWithdrawalRoot(Withdrawal calldata withdrawal) external pure returns (bytes32);

    /// @notice Whether a withdrawal root is queued and not completed.
    function pendingWithdrawals(bytes32 root) external view returns (bool);
}
