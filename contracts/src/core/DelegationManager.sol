// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";

/// @title Share ledger and delegation of stakers to operators.
/// @notice Slashing model (EigenLayer's): every operator has a max magnitude per strategy,
///         1e18 until slashed. A staker's balance is stored *scaled*: withdrawable =
///         scaledShares * maxMagnitude(operator) / 1e18. A slash lowers the operator's max
///         magnitude, so every delegator's withdrawable balance drops by the same fraction
///         without touching their storage. Queued withdrawals keep the scaled amount and the
///         operator, so slashes that land before the withdrawal becomes completable still apply:
///         stake cannot escape a slash that is already provable.
/// @dev Storage: strategyManager, allocationManager (set once), isOperator, delegatedTo,
///      operatorShares[operator][strategy], _scaledShares[staker][strategy],
///      _stakerStrategies[staker] (strategies with a non-zero balance, at most 8),
///      pendingWithdrawals[root], withdrawalNonce[staker].
contract DelegationManager is IDelegationManager, Ownable, ReentrancyGuardTransient {
    uint256 private constant WAD = 1e18;
    /// @notice Most strategies one staker may hold (bounds the undelegate loop).
    uint256 public constant MAX_STAKER_STRATEGIES = 8;

    /// @notice Token custody (set once by the owner).
    IStrategyManager public strategyManager;
    /// @notice Magnitude bookkeeping (set once by the owner).
    IAllocationManager public allocationManager;
    /// @inheritdoc IDelegationManager
    uint32 public immutable minWithdrawalDelayBlocks;

    /// @inheritdoc IDelegationManager
    mapping(address => bool) public isOperator;
    /// @inheritdoc IDelegationManager
    mapping(address => address) public delegatedTo;
    /// @inheritdoc IDelegationManager
    mapping(address => mapping(IStrategy => uint256)) public operatorShares;
    mapping(address => mapping(IStrategy => uint256)) private _scaledShares;
    mapping(address => IStrategy[]) private _stakerStrategies;
    /// @inheritdoc IDelegationManager
    mapping(bytes32 => bool) public pendingWithdrawals;
    /// @notice Withdrawals queued so far per staker (nonce of the next one).
    mapping(address => uint256) public withdrawalNonce;

    /// @param withdrawalDelayBlocks Blocks a queued withdrawal stays slashable.
    /// @param owner_ Sets the dependencies once.
    constructor(uint32 withdrawalDelayBlocks, address owner_) Ownable(owner_) {
        minWithdrawalDelayBlocks = withdrawalDelayBlocks;
    }

    /// @notice Wire the strategy and allocation managers (once; breaks the deploy cycle).
    function setDependencies(IStrategyManager sm, IAllocationManager am) external onlyOwner {
        if (address(strategyManager) != address(0)) revert AlreadyInitialized();
        strategyManager = sm;
        allocationManager = am;
    }

    // ---------------------------------------------------------------- operators and delegation

    /// @inheritdoc IDelegationManager
    function registerAsOperator(string calldata metadataURI) external {
        if (isOperator[msg.sender]) revert AlreadyOperator();
        if (delegatedTo[msg.sender] != address(0)) revert ActivelyDelegated();
        isOperator[msg.sender] = true;
        emit OperatorRegistered(msg.sender, metadataURI);
        _delegate(msg.sender, msg.sender);
    }

    /// @inheritdoc IDelegationManager
    function delegateTo(address operator) external {
        if (!isOperator[operator]) revert OperatorNotRegistered(operator);
        if (delegatedTo[msg.sender] != address(0)) revert ActivelyDelegated();
        _delegate(msg.sender, operator);
    }

    /// @inheritdoc IDelegationManager
    function undelegate() external nonReentrant returns (bytes32[] memory roots) {
        address staker = msg.sender;
        address operator = delegatedTo[staker];
        if (operator == address(0)) revert NotDelegated();
        if (isOperator[staker]) revert OperatorsCannotUndelegate();
        IStrategy[] memory strategies = _stakerStrategies[staker];
        roots = new bytes32[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            uint256 scaled = _scaledShares[staker][strategies[i]];
            uint256 shares = scaled * _maxMagnitude(operator, strategies[i]) / WAD;
            roots[i] = _queue(staker, operator, strategies[i], shares, scaled);
        }
        delegatedTo[staker] = address(0);
        emit StakerUndelegated(staker, operator);
    }

    function _delegate(address staker, address operator) private {
        IStrategy[] memory strategies = _stakerStrategies[staker];
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy s = strategies[i];
            // undelegated balances are unscaled (max magnitude 1e18)
            uint256 shares = _scaledShares[staker][s];
            uint64 mag = _maxMagnitude(operator, s);
            if (mag == 0) revert FullySlashed(operator, address(s));
            _scaledShares[staker][s] = shares * WAD / mag;
            operatorShares[operator][s] += shares;
            emit OperatorSharesIncreased(operator, staker, address(s), shares);
        }
        delegatedTo[staker] = operator;
        emit StakerDelegated(staker, operator);
    }

    // ---------------------------------------------------------------- deposits and slashes

    /// @inheritdoc IDelegationManager
    function increaseDelegatedShares(address staker, IStrategy strategy, uint256 shares) external {
        if (msg.sender != address(strategyManager)) revert UnauthorizedCaller();
        if (shares == 0) revert ZeroShares();
        address operator = delegatedTo[staker];
        uint64 mag = _maxMagnitude(operator, strategy);
        if (mag == 0) revert FullySlashed(operator, address(strategy));
        if (_scaledShares[staker][strategy] == 0) {
            if (_stakerStrategies[staker].length >= MAX_STAKER_STRATEGIES) {
                revert MaxStrategiesExceeded();
            }
            _stakerStrategies[staker].push(strategy);
        }
        _scaledShares[staker][strategy] += shares * WAD / mag;
        if (operator != address(0)) {
            operatorShares[operator][strategy] += shares;
            emit OperatorSharesIncreased(operator, staker, address(strategy), shares);
        }
    }

    /// @inheritdoc IDelegationManager
    function slashOperatorShares(
        address operator,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external returns (uint256 sharesSlashed) {
        if (msg.sender != address(allocationManager)) revert UnauthorizedCaller();
        uint256 current = operatorShares[operator][strategy];
        sharesSlashed = current - current * newMaxMagnitude / prevMaxMagnitude;
        operatorShares[operator][strategy] = current - sharesSlashed;
        if (sharesSlashed != 0) strategyManager.increaseBurnableShares(strategy, sharesSlashed);
        emit OperatorSharesSlashed(operator, address(strategy), sharesSlashed);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @inheritdoc IDelegationManager
    function queueWithdrawal(IStrategy strategy, uint256 shares)
        external
        nonReentrant
        returns (bytes32 root)
    {
        if (shares == 0) revert ZeroShares();
        address staker = msg.sender;
        address operator = delegatedTo[staker];
        uint256 scaled = _scaledShares[staker][strategy];
        uint64 mag = _maxMagnitude(operator, strategy);
        uint256 available = scaled * mag / WAD;
        if (shares > available) revert InsufficientShares(shares, available);
        // round the scaled amount up so a withdrawal never takes more than its share
        uint256 scaledToRemove =
            shares == available ? scaled : Math.min(scaled, Math.mulDiv(shares, WAD, mag, Math.Rounding.Ceil));
        root = _queue(staker, operator, strategy, shares, scaledToRemove);
    }

    function _queue(
        address staker,
        address operator,
        IStrategy strategy,
        uint256 shares,
        uint256 scaledToRemove
    ) private returns (bytes32 root) {
        uint256 remaining = _scaledShares[staker][strategy] - scaledToRemove;
        _scaledShares[staker][strategy] = remaining;
        if (remaining == 0) _removeStrategy(staker, strategy);
        if (operator != address(0)) {
            uint256 opShares = operatorShares[operator][strategy];
            uint256 decrease = Math.min(shares, opShares);
            operatorShares[operator][strategy] = opShares - decrease;
            emit OperatorSharesDecreased(operator, staker, address(strategy), decrease);
        }
        Withdrawal memory w = Withdrawal({
            staker: staker,
            delegatedTo: operator,
            strategy: strategy,
            scaledShares: scaledToRemove,
            sharesAtQueue: shares,
            startBlock: uint32(block.number),
            nonce: withdrawalNonce[staker]++
        });
        root = keccak256(abi.encode(w));
        pendingWithdrawals[root] = true;
        emit WithdrawalQueued(root, w);
    }

    function _removeStrategy(address staker, IStrategy strategy) private {
        IStrategy[] storage list = _stakerStrategies[staker];
        for (uint256 i = 0; i < list.length; ++i) {
            if (list[i] == strategy) {
                list[i] = list[list.length - 1];
                list.pop();
                return;
            }
        }
    }

    /// @inheritdoc IDelegationManager
    function completeQueuedWithdrawal(Withdrawal calldata w) external nonReentrant {
        bytes32 root = keccak256(abi.encode(w));
        if (!pendingWithdrawals[root]) revert WithdrawalNotQueued(root);
        if (msg.sender != w.staker) revert NotWithdrawalStaker();
        uint32 completableBlock = w.startBlock + minWithdrawalDelayBlocks;
        if (block.number < completableBlock) revert WithdrawalDelayNotPassed(completableBlock);
        delete pendingWithdrawals[root];

        uint256 shares = w.scaledShares;
        if (w.delegatedTo != address(0)) {
            // slashes up to the last block of the delay apply; later ones do not
            uint64 mag = allocationManager.getMaxMagnitudeAtBlock(
                w.delegatedTo, w.strategy, completableBlock - 1
            );
            shares = w.scaledShares * mag / WAD;
        }
        shares = Math.min(shares, w.sharesAtQueue);
        uint256 burned = w.sharesAtQueue - shares;
        emit WithdrawalCompleted(root, shares, burned);
        if (burned != 0) strategyManager.increaseBurnableShares(w.strategy, burned);
        strategyManager.withdrawSharesAsTokens(w.staker, w.strategy, shares);
    }

    // ---------------------------------------------------------------- views

    function _maxMagnitude(address operator, IStrategy strategy) private view returns (uint64) {
        if (operator == address(0)) return uint64(WAD);
        return allocationManager.getMaxMagnitude(operator, strategy);
    }

    /// @inheritdoc IDelegationManager
    function getWithdrawableShares(address staker, IStrategy[] calldata strategies)
        external
        view
        returns (uint256[] memory shares)
    {
        address operator = delegatedTo[staker];
        shares = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            shares[i] = _scaledShares[staker][strategies[i]] * _maxMagnitude(operator, strategies[i]) / WAD;
        }
    }

    /// @notice The staker's scaled balance (withdrawable = scaled x maxMagnitude / 1e18).
    function scaledShares(address staker, IStrategy strategy) external view returns (uint256) {
        return _scaledShares[staker][strategy];
    }

    /// @notice Strategies in which the staker holds a balance.
    function getStakerStrategies(address staker) external view returns (IStrategy[] memory) {
        return _stakerStrategies[staker];
    }

    /// @inheritdoc IDelegationManager
    function calculateWithdrawalRoot(Withdrawal calldata w) external pure returns (bytes32) {
        return keccak256(abi.encode(w));
    }
}
