// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {BN254} from "../libraries/BN254.sol";
import {BitmapUtils} from "../libraries/BitmapUtils.sol";
import {BlockHistory} from "../libraries/BlockHistory.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {OperatorRegistryStorage} from "./OperatorRegistryStorage.sol";
import {OperatorRegistryViews} from "./OperatorRegistryViews.sol";

/// @title BLS operator registry: the AVS registrar of the allocation manager.
/// @notice One contract plays the roles of EigenLayer's RegistryCoordinator, BLSApkRegistry,
///         StakeRegistry and IndexRegistry. Quorum q is operator set q of the AVS; an operator's
///         stake in quorum q is the stake the allocation manager says stays slashable there
///         until `slashableStakeLookahead` blocks from now (`getMinimumSlashableStake`), recorded
///         at registration and whenever anyone calls `updateOperators` (EigenLayer's pull model).
///         Histories (stake, total stake, quorum bitmap, APK hash) are block-keyed so a
///         certificate is checked exactly against the state at its reference block.
/// @dev State in OperatorRegistryStorage, read-only functions in OperatorRegistryViews.
contract OperatorRegistry is OperatorRegistryViews, Ownable, EIP712 {
    using BN254 for BN254.G1Point;
    using BlockHistory for uint256[];

    /// @param allocationManager_ The allocation manager that calls back on (de)registration.
    /// @param avs_ The service manager address (the AVS identity).
    /// @param owner_ Creates quorums and sets the ejector.
    constructor(IAllocationManager allocationManager_, address avs_, address owner_)
        OperatorRegistryStorage(allocationManager_, avs_)
        Ownable(owner_)
        EIP712("AVSRegistryCoordinator", "v0.0.1")
    {}

    modifier onlyAllocationManager(address avs_) {
        if (msg.sender != address(allocationManager)) revert OnlyAllocationManager();
        if (avs_ != avs) revert InvalidAVS(avs_);
        _;
    }

    // ---------------------------------------------------------------- configuration

    /// @inheritdoc IOperatorRegistry
    function createQuorum(IStrategy strategy, uint96 minimumStake)
        external
        onlyOwner
        returns (uint8 quorumNumber)
    {
        quorumNumber = quorumCount;
        if (quorumNumber >= MAX_QUORUMS) revert MaxQuorumsReached();
        quorumCount = quorumNumber + 1;
        _quorums[quorumNumber] = Quorum(strategy, minimumStake);
        _totalStakeHistory[quorumNumber].record(0);
        _apkHistory[quorumNumber].record(_apkHashValue(BN254.G1Point(0, 0)));
        IAllocationManagerTypes.CreateSetParamsV2[] memory params =
            new IAllocationManagerTypes.CreateSetParamsV2[](1);
        params[0].operatorSetId = quorumNumber;
        params[0].strategies = new IStrategy[](1);
        params[0].strategies[0] = strategy;
        params[0].slasher = avs; // the service manager is the only path into slashOperator
        allocationManager.createOperatorSets(avs, params);
        emit QuorumCreated(quorumNumber, address(strategy), minimumStake);
    }

    /// @inheritdoc IOperatorRegistry
    function setMinimumStake(uint8 quorumNumber, uint96 minimumStake) external onlyOwner {
        _requireQuorum(quorumNumber);
        _quorums[quorumNumber].minimumStake = minimumStake;
        emit MinimumStakeUpdated(quorumNumber, minimumStake);
    }

    /// @inheritdoc IOperatorRegistry
    function setSlashableStakeLookahead(uint32 lookaheadBlocks) external onlyOwner {
        slashableStakeLookahead = lookaheadBlocks;
        emit SlashableStakeLookaheadUpdated(lookaheadBlocks);
    }

    /// @inheritdoc IOperatorRegistry
    function setEjector(address ejector_) external onlyOwner {
        ejector = ejector_;
        emit EjectorUpdated(ejector_);
    }

    // ---------------------------------------------------------------- registrar callbacks

    /// @inheritdoc IAVSRegistrar
    function supportsAVS(address avs_) external view returns (bool) {
        return avs_ == avs;
    }

    /// @notice Register `operator` for quorums `operatorSetIds`. `data` is what EigenLayer's
    ///         middleware and SDKs send: abi.encode(uint8 registrationType = 0 (normal), string
    ///         socket, PubkeyRegistrationParams); once the key is registered the params may repeat
    ///         it or be zero. Called by the allocation manager only.
    function registerOperator(
        address operator,
        address avs_,
        uint32[] calldata operatorSetIds,
        bytes calldata data
    ) external onlyAllocationManager(avs_) {
        (uint8 registrationType, string memory socket, PubkeyRegistrationParams memory params) =
            abi.decode(data, (uint8, string, PubkeyRegistrationParams));
        if (registrationType != REGISTRATION_TYPE_NORMAL) revert UnsupportedRegistrationType(registrationType);
        bytes32 operatorId = _registerKey(operator, params);
        _sockets[operatorId] = socket;
        emit OperatorSocketUpdate(operatorId, socket);
        _join(operator, operatorId, _idsToBitmap(operatorSetIds));
    }

    function _join(address operator, bytes32 operatorId, uint256 bitmap) private {
        uint256 current = _bitmapHistory[operatorId].latest();
        BN254.G1Point memory key = _keys[operator].pubkeyG1;
        for (uint8 q = 0; (bitmap >> q) != 0; ++q) {
            if (!BitmapUtils.isSet(bitmap, q)) continue;
            if (BitmapUtils.isSet(current, q)) revert AlreadyRegisteredForQuorum(q);
            uint96 stake = _slashableStake(operator, operatorId, q);
            uint96 minimum = _quorums[q].minimumStake;
            if (stake < minimum || stake == 0) revert InsufficientStake(q, stake, minimum);
            _addTotal(q, _setStake(operatorId, q, stake));
            _updateApk(q, key);
        }
        _bitmapHistory[operatorId].record(uint192(current | bitmap));
        if (current == 0) emit OperatorRegistered(operator, operatorId);
        emit OperatorAddedToQuorums(operator, operatorId, BitmapUtils.bitmapToBytes(bitmap));
    }

    /// @inheritdoc IAVSRegistrar
    function deregisterOperator(address operator, address avs_, uint32[] calldata operatorSetIds)
        external
        onlyAllocationManager(avs_)
    {
        _deregister(operator, _idsToBitmap(operatorSetIds));
    }

    // ---------------------------------------------------------------- stake maintenance

    /// @inheritdoc IOperatorRegistry
    function updateOperators(address[] calldata operators) external {
        for (uint256 i = 0; i < operators.length; ++i) {
            address operator = operators[i];
            bytes32 operatorId = _keys[operator].operatorId;
            if (operatorId == bytes32(0)) continue;
            uint256 bitmap = _bitmapHistory[operatorId].latest();
            uint256 tooLow = 0;
            for (uint8 q = 0; (bitmap >> q) != 0; ++q) {
                if (!BitmapUtils.isSet(bitmap, q)) continue;
                uint96 stake = _slashableStake(operator, operatorId, q);
                if (stake < _quorums[q].minimumStake || stake == 0) tooLow |= 1 << q;
                else _addTotal(q, _setStake(operatorId, q, stake));
            }
            if (tooLow != 0) _forceDeregister(operator, tooLow);
        }
    }

    /// @inheritdoc IOperatorRegistry
    function ejectOperator(address operator, bytes calldata quorumNumbers) external {
        if (msg.sender != ejector) revert OnlyEjector();
        uint256 bitmap = BitmapUtils.orderedBytesToBitmap(quorumNumbers);
        emit OperatorEjected(operator, quorumNumbers);
        _forceDeregister(operator, bitmap);
    }

    /// @dev Deregistration goes through the allocation manager so both sides stay in sync; it
    ///      calls back `deregisterOperator`, which updates this registry.
    function _forceDeregister(address operator, uint256 bitmap) private {
        bytes memory numbers = BitmapUtils.bitmapToBytes(bitmap);
        uint32[] memory ids = new uint32[](numbers.length);
        for (uint256 i = 0; i < numbers.length; ++i) {
            ids[i] = uint8(numbers[i]);
        }
        allocationManager.deregisterFromOperatorSets(
            IAllocationManagerTypes.DeregisterParams(operator, avs, ids)
        );
    }

    function _deregister(address operator, uint256 bitmap) private {
        bytes32 operatorId = _keys[operator].operatorId;
        uint256 current = _bitmapHistory[operatorId].latest();
        BN254.G1Point memory negKey = _keys[operator].pubkeyG1.negate();
        for (uint8 q = 0; (bitmap >> q) != 0; ++q) {
            if (!BitmapUtils.isSet(bitmap, q)) continue;
            if (!BitmapUtils.isSet(current, q)) revert NotRegisteredForQuorum(q);
            _addTotal(q, _setStake(operatorId, q, 0));
            _updateApk(q, negKey);
        }
        _bitmapHistory[operatorId].record(uint192(current & ~bitmap));
        emit OperatorRemovedFromQuorums(operator, operatorId, BitmapUtils.bitmapToBytes(bitmap));
        if (current & ~bitmap == 0) emit OperatorDeregistered(operator, operatorId);
    }

    // ---------------------------------------------------------------- keys

    function _registerKey(address operator, PubkeyRegistrationParams memory p)
        private
        returns (bytes32 operatorId)
    {
        operatorId = _keys[operator].operatorId;
        bool empty = p.pubkeyG1.X == 0 && p.pubkeyG1.Y == 0;
        if (empty) {
            if (operatorId == bytes32(0)) revert MissingPubkey();
            return operatorId;
        }
        bytes32 newId = p.pubkeyG1.hashG1Point();
        if (operatorId != bytes32(0)) {
            // keys are permanent: re-registration may only repeat the same key
            if (newId != operatorId) revert OperatorAlreadyHasKey(operatorId);
            return operatorId;
        }
        address owner_ = _idToOperator[newId];
        if (owner_ != address(0)) revert PubkeyAlreadyRegistered(newId, owner_);
        _verifyProofOfPossession(operator, p);
        _keys[operator] = OperatorKeys(newId, BN254.hashG2Point(p.pubkeyG2), p.pubkeyG1);
        _idToOperator[newId] = operator;
        _operatorIds.push(newId);
        emit NewPubkeyRegistration(operator, p.pubkeyG1, p.pubkeyG2);
        return newId;
    }

    /// @dev DESIGN.md section 3: gamma = keccak256(sigma, pk1, pk2, H) mod r and
    ///      e(sigma + gamma*pk1, -g2) * e(H + gamma*g1, pk2) == 1 (blocks rogue keys).
    function _verifyProofOfPossession(address operator, PubkeyRegistrationParams memory p)
        private
        view
    {
        BN254.G1Point memory h = pubkeyRegistrationMessageHash(operator);
        uint256 gamma = uint256(
            keccak256(
                abi.encodePacked(
                    p.pubkeyRegistrationSignature.X,
                    p.pubkeyRegistrationSignature.Y,
                    p.pubkeyG1.X,
                    p.pubkeyG1.Y,
                    p.pubkeyG2.X,
                    p.pubkeyG2.Y,
                    h.X,
                    h.Y
                )
            )
        ) % BN254.FR_MODULUS;
        bool ok = BN254.pairingWithNegG2(
            p.pubkeyRegistrationSignature.plus(p.pubkeyG1.scalarMul(gamma)),
            h.plus(BN254.generatorG1().scalarMul(gamma)),
            p.pubkeyG2
        );
        if (!ok) revert InvalidRegistrationSignature();
    }

    /// @inheritdoc IOperatorRegistry
    function pubkeyRegistrationMessageHash(address operator)
        public
        view
        returns (BN254.G1Point memory)
    {
        return BN254.hashToG1(
            _hashTypedDataV4(keccak256(abi.encode(PUBKEY_REGISTRATION_TYPEHASH, operator)))
        );
    }

    // ---------------------------------------------------------------- internal state updates

    function _requireQuorum(uint8 q) private view {
        if (q >= quorumCount) revert QuorumDoesNotExist(q);
    }

    function _idsToBitmap(uint32[] calldata ids) private view returns (uint256 bitmap) {
        for (uint256 i = 0; i < ids.length; ++i) {
            if (ids[i] >= quorumCount) revert QuorumDoesNotExist(uint8(ids[i]));
            bitmap |= 1 << ids[i];
        }
    }

    /// @dev The stake a slash can still take at `block.number + slashableStakeLookahead`: a
    ///      certificate over a task created now is checked, and its faults proven, within that
    ///      window, so counting more would let stake that is leaving sign. Bounded so the quorum's
    ///      total never exceeds uint96 (certificates read totals as uint96, like EigenLayer's).
    function _slashableStake(address operator, bytes32 operatorId, uint8 q) private view returns (uint96) {
        IAllocationManagerTypes.OperatorSet memory set = IAllocationManagerTypes.OperatorSet(avs, q);
        address[] memory operators = new address[](1);
        operators[0] = operator;
        IStrategy[] memory strategies = new IStrategy[](1);
        strategies[0] = _quorums[q].strategy;
        uint32 futureBlock = uint32(block.number) + slashableStakeLookahead;
        uint256 stake =
            allocationManager.getMinimumSlashableStake(set, operators, strategies, futureBlock)[0][0];
        uint256 others = _totalStakeHistory[q].latest() - _stakeHistory[operatorId][q].latest();
        uint256 room = type(uint96).max - others;
        return uint96(stake > room ? room : stake);
    }

    /// @return delta New stake minus old stake.
    function _setStake(bytes32 operatorId, uint8 q, uint96 stake) private returns (int256 delta) {
        uint256[] storage h = _stakeHistory[operatorId][q];
        uint96 old = uint96(h.latest());
        if (old == stake && h.length != 0) return 0;
        h.record(stake);
        emit OperatorStakeUpdate(operatorId, q, stake);
        return int256(uint256(stake)) - int256(uint256(old));
    }

    function _addTotal(uint8 q, int256 delta) private {
        if (delta == 0) return;
        uint256[] storage h = _totalStakeHistory[q];
        h.record(uint192(uint256(int256(uint256(h.latest())) + delta)));
    }

    function _updateApk(uint8 q, BN254.G1Point memory delta) private {
        BN254.G1Point memory apk = _currentApk[q].plus(delta);
        _currentApk[q] = apk;
        _apkHistory[q].record(_apkHashValue(apk));
    }

    function _apkHashValue(BN254.G1Point memory apk) private pure returns (uint192) {
        return uint192(bytes24(apk.hashG1Point()));
    }
}
