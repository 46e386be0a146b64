// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStrategy} from "./IStrategy.sol";
import {IAllocationManagerTypes} from "./IAllocationManager.sol";

/// @title Signature types shared by the core (EigenLayer ISignatureUtilsMixinTypes).
interface ISignatureUtilsMixinTypes {
    /// @notice A signature and the timestamp after which it is void.
    struct SignatureWithExpiry {
        bytes signature;
        uint256 expiry;
    }
}

/// @title Errors of the delegation manager (EigenLayer IDelegationManagerErrors, subset).
interface IDelegationManagerErrors {
    /// @notice Only the allocation manager may call this.
    error OnlyAllocationManager();
    /// @notice Only the strategy manager may call this.
    error OnlyStrategyManagerOrEigenPodManager();
    /// @notice Operators are always delegated to themselves.
    error OperatorsCannotUndelegate();
    /// @notice The staker is already delegated (or already an operator).
    error ActivelyDelegated();
    /// @notice The staker is not delegated.
    error NotActivelyDelegated();
    /// @notice The address is not a registered operator.
    error OperatorNotRegistered();
    /// @notice The withdrawal is unknown or already completed.
    error WithdrawalNotQueued();
    /// @notice Only the staker or its operator (or the operator's appointee) may undelegate it.
    error CallerCannotUndelegate();
    /// @notice Array arguments have different lengths.
    error InputArrayLengthMismatch();
    /// @notice An empty array where at least one entry is needed.
    error InputArrayLengthZero();
    /// @notice The operator's magnitude in a strategy was slashed to zero.
    error FullySlashed();
    /// @notice The approver's salt was used already.
    error SaltSpent();
    /// @notice The withdrawal delay has not passed yet.
    error WithdrawalDelayNotElapsed();
    /// @notice Only the withdrawal's withdrawer may complete it.
    error WithdrawerNotCaller();
    /// @notice The approver's signature has expired.
    error SignatureExpired();
    /// @notice The approver's signature does not verify.
    error InvalidSignature();
    /// @notice More deposit shares requested than the staker holds (stand-in only).
    error WithdrawalExceedsMax();
    /// @notice A staker may hold at most MAX_STAKER_STRATEGIES strategies (stand-in only).
    error MaxStrategiesExceeded();
    /// @notice Dependencies were already set (stand-in only).
    error AlreadyInitialized();
}

/// @title Types of the delegation manager (EigenLayer IDelegationManagerTypes, subset).
interface IDelegationManagerTypes {
    /// @notice A queued withdrawal; keccak256(abi.encode(withdrawal)) is its root.
    /// @param staker Whose shares are withdrawn.
    /// @param delegatedTo The operator the staker was delegated to (its slashes still apply).
    /// @param withdrawer Who may complete it (always the staker).
    /// @param nonce Per-staker counter making roots unique.
    /// @param startBlock Block the withdrawal was queued in.
    /// @param strategies Strategies withdrawn from.
    /// @param scaledShares Shares per strategy normalised by the operator's max magnitude.
    struct Withdrawal {
        address staker;
        address delegatedTo;
        address withdrawer;
        uint256 nonce;
        uint32 startBlock;
        IStrategy[] strategies;
        uint256[] scaledShares;
    }

    /// @notice A withdrawal request: deposit shares per strategy (the last field is unused).
    struct QueuedWithdrawalParams {
        IStrategy[] strategies;
        uint256[] depositShares;
        address __deprecated_withdrawer;
    }
}

/// @title Events of the delegation manager (EigenLayer IDelegationManagerEvents, subset).
interface IDelegationManagerEvents is IDelegationManagerTypes {
    /// @notice `operator` registered (and is delegated to itself).
    event OperatorRegistered(address indexed operator, address delegationApprover);
    /// @notice The operator's delegation approver changed.
    event DelegationApproverUpdated(address indexed operator, address newDelegationApprover);
    /// @notice The operator published a metadata URI.
    event OperatorMetadataURIUpdated(address indexed operator, string metadataURI);
    /// @notice Delegated shares of `operator` in `strategy` rose by `shares`.
    event OperatorSharesIncreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    /// @notice Delegated shares of `operator` in `strategy` fell by `shares`.
    event OperatorSharesDecreased(address indexed operator, address staker, IStrategy strategy, uint256 shares);
    /// @notice `staker` delegated to `operator`.
    event StakerDelegated(address indexed staker, address indexed operator);
    /// @notice `staker` undelegated from `operator`.
    event StakerUndelegated(address indexed staker, address indexed operator);
    /// @notice `operator` (or its appointee) undelegated `staker`.
    event StakerForceUndelegated(address indexed staker, address indexed operator);
    /// @notice A withdrawal was queued; `sharesToWithdraw` are its withdrawable shares at queueing.
    event SlashingWithdrawalQueued(bytes32 withdrawalRoot, Withdrawal withdrawal, uint256[] sharesToWithdraw);
    /// @notice A withdrawal was completed.
    event SlashingWithdrawalCompleted(bytes32 withdrawalRoot);
    /// @notice A slash removed shares from `operator`'s delegated shares in `strategy`.
    event OperatorSharesSlashed(address indexed operator, IStrategy strategy, uint256 totalSlashedShares);
}

/// @title Delegation of stakers to operators: exactly EigenLayer's IDelegationManager
///        signatures for every function listed here (v1.x, slashing release).
interface IDelegationManager is ISignatureUtilsMixinTypes, IDelegationManagerErrors, IDelegationManagerEvents {
    /// @notice Register the caller as an operator (self-delegated) with its allocation delay.
    function registerAsOperator(address initDelegationApprover, uint32 allocationDelay, string calldata metadataURI)
        external;

    /// @notice Change the operator's delegation approver (zero: anyone may delegate).
    function modifyOperatorDetails(address operator, address newDelegationApprover) external;

    /// @notice Publish the operator's metadata URI.
    function updateOperatorMetadataURI(address operator, string calldata metadataURI) external;

    /// @notice Delegate all of the caller's shares to `operator`; needs the approver's signature
    ///         (EIP-712 DelegationApproval) when the operator has an approver.
    function delegateTo(address operator, SignatureWithExpiry memory approverSignatureAndExpiry, bytes32 approverSalt)
        external;

    /// @notice Undelegate `staker` (the staker or its operator calls), queueing a withdrawal of
    ///         every position, one per strategy.
    function undelegate(address staker) external returns (bytes32[] memory withdrawalRoots);

    /// @notice Queue withdrawals of the caller's deposit shares.
    function queueWithdrawals(QueuedWithdrawalParams[] calldata params) external returns (bytes32[] memory);

    /// @notice Complete a queued withdrawal after the delay: as tokens, or as shares again.
    function completeQueuedWithdrawal(Withdrawal calldata withdrawal, IERC20[] calldata tokens, bool receiveAsTokens)
        external;

    /// @notice Credit newly deposited shares (strategy manager only).
    function increaseDelegatedShares(address staker, IStrategy strategy, uint256 prevDepositShares, uint256 addedShares)
        external;

    /// @notice Reduce an operator's delegated shares after a magnitude slash (allocation manager only).
    function slashOperatorShares(
        address operator,
        IAllocationManagerTypes.OperatorSet calldata operatorSet,
        uint256 slashId,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external returns (uint256 totalDepositSharesToSlash);

    /// @notice The operator `staker` is delegated to (zero if none).
    function delegatedTo(address staker) external view returns (address);

    /// @notice Whether the approver's salt was used.
    function delegationApproverSaltIsSpent(address delegationApprover, bytes32 salt) external view returns (bool);

    /// @notice Withdrawals `staker` queued so far (the next nonce).
    function cumulativeWithdrawalsQueued(address staker) external view returns (uint256);

    /// @notice Whether `staker` is delegated.
    function isDelegated(address staker) external view returns (bool);

    /// @notice Whether `operator` is a registered operator.
    function isOperator(address operator) external view returns (bool);

    /// @notice The operator's delegation approver.
    function delegationApprover(address operator) external view returns (address);

    /// @notice Shares delegated to `operator` per strategy.
    function getOperatorShares(address operator, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory);

    /// @notice Shares `staker` could withdraw now, and its deposit shares, per strategy.
    function getWithdrawableShares(address staker, IStrategy[] memory strategies)
        external
        view
        returns (uint256[] memory withdrawableShares, uint256[] memory depositShares);

    /// @notice Strategies `staker` holds and its deposit shares in each.
    function getDepositedShares(address staker) external view returns (IStrategy[] memory, uint256[] memory);

    /// @notice A queued withdrawal and the shares it would pay now.
    function getQueuedWithdrawal(bytes32 withdrawalRoot)
        external
        view
        returns (Withdrawal memory withdrawal, uint256[] memory shares);

    /// @notice keccak256(abi.encode(withdrawal)).
    function calculateWithdrawalRoot(Withdrawal memory withdrawal) external pure returns (bytes32);

    /// @notice EIP-712 digest the approver signs to let `staker` delegate to `operator`.
    function calculateDelegationApprovalDigestHash(
        address staker,
        address operator,
        address _delegationApprover,
        bytes32 approverSalt,
        uint256 expiry
    ) external view returns (bytes32);

    /// @notice Blocks between queueing and completing a withdrawal.
    function minWithdrawalDelayBlocks() external view returns (uint32);

    /// @notice keccak256 of the DelegationApproval EIP-712 type.
    function DELEGATION_APPROVAL_TYPEHASH() external view returns (bytes32);
}
