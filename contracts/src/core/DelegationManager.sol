// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IStrategyManager} from "../interfaces/IStrategyManager.sol";
import {IDelegationManager} from "../interfaces/IDelegationManager.sol";
import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IPermissionController} from "../interfaces/IPermissionController.sol";
import {DelegationManagerStorage} from "./DelegationManagerStorage.sol";
import {PermissionControllerMixin} from "./PermissionControllerMixin.sol";

/// @title Share ledger and delegation of stakers to operators (EigenLayer's semantics).
/// @notice Slashing model: every operator has a max magnitude per strategy, 1e18 until slashed.
///         A staker's deposit shares are stored *scaled*: withdrawable = depositShares *
///         maxMagnitude(operator) / 1e18, so a slash (which lowers the max magnitude) costs every
///         delegator the same fraction without touching their storage. Queued withdrawals keep
///         the scaled amount and the operator, and pay out at the max magnitude of the last block
///         of the withdrawal delay: a slash that lands during the delay still applies.
contract DelegationManager is
    DelegationManagerStorage,
    PermissionControllerMixin,
    Ownable,
    EIP712,
    ReentrancyGuardTransient
{
    /// @param withdrawalDelayBlocks Blocks a queued withdrawal stays slashable.
    /// @param permissionController_ Who may act for operators.
    /// @param owner_ Sets the dependencies once.
    constructor(uint32 withdrawalDelayBlocks, IPermissionController permissionController_, address owner_)
        DelegationManagerStorage(withdrawalDelayBlocks)
        PermissionControllerMixin(permissionController_)
        Ownable(owner_)
        EIP712("EigenLayer", "v1")
    {}

    /// @notice Wire the strategy and allocation managers (once; breaks the deploy cycle).
    function setDependencies(IStrategyManager sm, IAllocationManager am) external onlyOwner {
        if (address(strategyManager) != address(0)) revert AlreadyInitialized();
        strategyManager = sm;
        allocationManager = am;
    }

    // ---------------------------------------------------------------- operators and delegation

    /// @inheritdoc IDelegationManager
    function registerAsOperator(address initDelegationApprover, uint32 allocationDelay, string calldata metadataURI)
        external
    {
        if (isDelegated(msg.sender)) revert ActivelyDelegated();
        _setApprover(msg.sender, initDelegationApprover);
        allocationManager.setAllocationDelay(msg.sender, allocationDelay);
        emit OperatorRegistered(msg.sender, initDelegationApprover);
        _delegate(msg.sender, msg.sender);
        emit OperatorMetadataURIUpdated(msg.sender, metadataURI);
    }

    /// @inheritdoc IDelegationManager
    function modifyOperatorDetails(address operator, address newDelegationApprover)
        external
        checkCanCall(operator)
    {
        if (!isOperator(operator)) revert OperatorNotRegistered();
        _setApprover(operator, newDelegationApprover);
    }

    /// @inheritdoc IDelegationManager
    function updateOperatorMetadataURI(address operator, string calldata metadataURI)
        external
        checkCanCall(operator)
    {
        if (!isOperator(operator)) revert OperatorNotRegistered();
        emit OperatorMetadataURIUpdated(operator, metadataURI);
    }

    function _setApprover(address operator, address approver) private {
        delegationApprover[operator] = approver;
        emit DelegationApproverUpdated(operator, approver);
    }

    /// @inheritdoc IDelegationManager
    function delegateTo(address operator, SignatureWithExpiry memory approverSignatureAndExpiry, bytes32 approverSalt)
        external
    {
        if (isDelegated(msg.sender)) revert ActivelyDelegated();
        if (!isOperator(operator)) revert OperatorNotRegistered();
        address approver = delegationApprover[operator];
        if (approver != address(0) && msg.sender != approver) {
            if (approverSignatureAndExpiry.expiry < block.timestamp) revert SignatureExpired();
            if (delegationApproverSaltIsSpent[approver][approverSalt]) revert SaltSpent();
            bytes32 digest = calculateDelegationApprovalDigestHash(
                msg.sender, operator, approver, approverSalt, approverSignatureAndExpiry.expiry
            );
            if (!SignatureChecker.isValidSignatureNow(approver, digest, approverSignatureAndExpiry.signature)) {
                revert InvalidSignature();
            }
            delegationApproverSaltIsSpent[approver][approverSalt] = true;
        }
        _delegate(msg.sender, operator);
    }

    /// @inheritdoc IDelegationManager
    function undelegate(address staker) external nonReentrant returns (bytes32[] memory roots) {
        address operator = delegatedTo[staker];
        if (operator == address(0)) revert NotActivelyDelegated();
        if (isOperator(staker)) revert OperatorsCannotUndelegate();
        if (msg.sender != staker) {
            if (!_canCall(operator)) revert CallerCannotUndelegate();
            emit StakerForceUndelegated(staker, operator);
        }
        emit StakerUndelegated(staker, operator);
        delegatedTo[staker] = address(0);
        IStrategy[] memory strategies = _stakerStrategies[staker];
        roots = new bytes32[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy[] memory one = new IStrategy[](1);
            one[0] = strategies[i];
            uint256[] memory scaled = new uint256[](1);
            scaled[0] = _scaledShares[staker][strategies[i]];
            roots[i] = _queue(staker, operator, one, scaled);
        }
    }

    function _delegate(address staker, address operator) private {
        delegatedTo[staker] = operator;
        emit StakerDelegated(staker, operator);
        IStrategy[] memory strategies = _stakerStrategies[staker];
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy s = strategies[i];
            // undelegated balances are unscaled (max magnitude 1e18)
            uint256 shares = _scaledShares[staker][s];
            uint64 mag = _maxMagnitude(operator, s);
            if (mag == 0) revert FullySlashed();
            _scaledShares[staker][s] = shares * WAD / mag;
            _operatorShares[operator][s] += shares;
            emit OperatorSharesIncreased(operator, staker, s, shares);
        }
    }

    // ---------------------------------------------------------------- deposits and slashes

    /// @inheritdoc IDelegationManager
    function increaseDelegatedShares(address staker, IStrategy strategy, uint256, uint256 addedShares) external {
        if (msg.sender != address(strategyManager)) revert OnlyStrategyManagerOrEigenPodManager();
        _addShares(staker, strategy, addedShares);
    }

    function _addShares(address staker, IStrategy strategy, uint256 shares) private {
        address operator = delegatedTo[staker];
        uint64 mag = _maxMagnitude(operator, strategy);
        if (mag == 0) revert FullySlashed();
        if (_scaledShares[staker][strategy] == 0) {
            if (_stakerStrategies[staker].length >= MAX_STAKER_STRATEGIES) revert MaxStrategiesExceeded();
            _stakerStrategies[staker].push(strategy);
        }
        _scaledShares[staker][strategy] += shares * WAD / mag;
        if (operator != address(0)) {
            _operatorShares[operator][strategy] += shares;
            emit OperatorSharesIncreased(operator, staker, strategy, shares);
        }
    }

    /// @inheritdoc IDelegationManager
    function slashOperatorShares(
        address operator,
        IAllocationManagerTypes.OperatorSet calldata,
        uint256,
        IStrategy strategy,
        uint64 prevMaxMagnitude,
        uint64 newMaxMagnitude
    ) external returns (uint256 sharesSlashed) {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        uint256 current = _operatorShares[operator][strategy];
        sharesSlashed = current - current * newMaxMagnitude / prevMaxMagnitude;
        _operatorShares[operator][strategy] = current - sharesSlashed;
        if (sharesSlashed != 0) strategyManager.increaseBurnableShares(strategy, sharesSlashed);
        emit OperatorSharesSlashed(operator, strategy, sharesSlashed);
    }

    // ---------------------------------------------------------------- withdrawals

    /// @inheritdoc IDelegationManager
    function queueWithdrawals(QueuedWithdrawalParams[] calldata params)
        external
        nonReentrant
        returns (bytes32[] memory roots)
    {
        address operator = delegatedTo[msg.sender];
        roots = new bytes32[](params.length);
        for (uint256 i = 0; i < params.length; ++i) {
            QueuedWithdrawalParams calldata p = params[i];
            if (p.strategies.length != p.depositShares.length) revert InputArrayLengthMismatch();
            if (p.strategies.length == 0) revert InputArrayLengthZero();
            for (uint256 j = 0; j < p.strategies.length; ++j) {
                if (p.depositShares[j] > _scaledShares[msg.sender][p.strategies[j]]) revert WithdrawalExceedsMax();
            }
            roots[i] = _queue(msg.sender, operator, p.strategies, p.depositShares);
        }
    }

    function _queue(address staker, address operator, IStrategy[] memory strategies, uint256[] memory scaled)
        private
        returns (bytes32 root)
    {
        uint256[] memory withdrawable = new uint256[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            IStrategy s = strategies[i];
            uint256 remaining = _scaledShares[staker][s] - scaled[i];
            _scaledShares[staker][s] = remaining;
            if (remaining == 0) _removeStrategy(staker, s);
            withdrawable[i] = scaled[i] * _maxMagnitude(operator, s) / WAD;
            if (operator != address(0)) {
                uint256 opShares = _operatorShares[operator][s];
                uint256 decrease = Math.min(withdrawable[i], opShares);
                _operatorShares[operator][s] = opShares - decrease;
                emit OperatorSharesDecreased(operator, staker, s, decrease);
            }
        }
        Withdrawal memory w = Withdrawal({
            staker: staker,
            delegatedTo: operator,
            withdrawer: staker,
            nonce: cumulativeWithdrawalsQueued[staker]++,
            startBlock: uint32(block.number),
            strategies: strategies,
            scaledShares: scaled
        });
        root = calculateWithdrawalRoot(w);
        _queued[root] = w;
        emit SlashingWithdrawalQueued(root, w, withdrawable);
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
    function completeQueuedWithdrawal(Withdrawal calldata w, IERC20[] calldata tokens, bool receiveAsTokens)
        external
        nonReentrant
    {
        bytes32 root = calculateWithdrawalRoot(w);
        if (_queued[root].staker == address(0)) revert WithdrawalNotQueued();
        if (msg.sender != w.withdrawer) revert WithdrawerNotCaller();
        uint32 slashableUntil = w.startBlock + minWithdrawalDelayBlocks;
        if (block.number <= slashableUntil) revert WithdrawalDelayNotElapsed();
        if (tokens.length != w.strategies.length) revert InputArrayLengthMismatch();
        delete _queued[root];
        emit SlashingWithdrawalCompleted(root);

        // slashes up to the last slashable block apply; later ones do not
        uint64[] memory atQueue = _magnitudesAt(w.delegatedTo, w.strategies, w.startBlock);
        uint64[] memory atEnd = _magnitudesAt(w.delegatedTo, w.strategies, slashableUntil);
        for (uint256 i = 0; i < w.strategies.length; ++i) {
            uint256 shares = w.scaledShares[i] * atEnd[i] / WAD;
            uint256 burned = w.scaledShares[i] * atQueue[i] / WAD - shares;
            if (burned != 0) strategyManager.increaseBurnableShares(w.strategies[i], burned);
            if (receiveAsTokens) {
                strategyManager.withdrawSharesAsTokens(w.staker, w.strategies[i], tokens[i], shares);
            } else if (shares != 0) {
                _addShares(w.staker, w.strategies[i], shares);
            }
        }
    }

    function _magnitudesAt(address operator, IStrategy[] calldata strategies, uint32 blockNumber)
        private
        view
        returns (uint64[] memory magnitudes)
    {
        if (operator != address(0)) return allocationManager.getMaxMagnitudesAtBlock(operator, strategies, blockNumber);
        magnitudes = new uint64[](strategies.length);
        for (uint256 i = 0; i < strategies.length; ++i) {
            magnitudes[i] = uint64(WAD);
        }
    }

    /// @inheritdoc IDelegationManager
    function calculateDelegationApprovalDigestHash(
        address staker,
        address operator,
        address _delegationApprover,
        bytes32 approverSalt,
        uint256 expiry
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(DELEGATION_APPROVAL_TYPEHASH, _delegationApprover, staker, operator, approverSalt, expiry))
        );
    }
}
