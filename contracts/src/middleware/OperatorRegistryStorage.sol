// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {IAllocationManager} from "../interfaces/IAllocationManager.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";

/// @title State of the operator registry (keys, quorums, block-keyed histories).
/// @dev Storage: quorumCount, _quorums[q], ejector, _keys[operator] (operatorId, pk2 hash, pk1),
///      _idToOperator, _operatorIds (every operator that ever registered), _currentApk[q],
///      slashableStakeLookahead, _sockets[id],
///      histories as packed BlockHistory arrays: _apkHistory[q] (bytes24 hash),
///      _totalStakeHistory[q], _stakeHistory[id][q], _bitmapHistory[id].
abstract contract OperatorRegistryStorage is IOperatorRegistry {
    /// @notice EIP-712 type of the proof-of-possession message.
    bytes32 public constant PUBKEY_REGISTRATION_TYPEHASH =
        keccak256("BN254PubkeyRegistration(address operator)");
    uint8 internal constant MAX_QUORUMS = 192;
    /// @notice The registration type this registry accepts (EigenLayer's NORMAL; no churn).
    uint8 public constant REGISTRATION_TYPE_NORMAL = 0;

    struct OperatorKeys {
        bytes32 operatorId;
        bytes32 pubkeyG2Hash;
        BN254.G1Point pubkeyG1;
    }

    /// @notice The restaking core's allocation manager.
    IAllocationManager public immutable allocationManager;
    /// @notice The AVS (service manager) whose operator sets this registry serves.
    address public immutable avs;

    /// @inheritdoc IOperatorRegistry
    uint8 public quorumCount;
    /// @notice May eject operators.
    address public ejector;
    /// @inheritdoc IOperatorRegistry
    uint32 public slashableStakeLookahead;

    mapping(uint8 => Quorum) internal _quorums;
    mapping(address => OperatorKeys) internal _keys;
    mapping(bytes32 => address) internal _idToOperator;
    bytes32[] internal _operatorIds;
    mapping(uint8 => BN254.G1Point) internal _currentApk;
    mapping(uint8 => uint256[]) internal _apkHistory;
    mapping(uint8 => uint256[]) internal _totalStakeHistory;
    mapping(bytes32 => mapping(uint8 => uint256[])) internal _stakeHistory;
    mapping(bytes32 => uint256[]) internal _bitmapHistory;
    mapping(bytes32 => string) internal _sockets;

    /// @param allocationManager_ The allocation manager that calls back on (de)registration.
    /// @param avs_ The service manager address (the AVS identity).
    constructor(IAllocationManager allocationManager_, address avs_) {
        allocationManager = allocationManager_;
        avs = avs_;
    }
}
