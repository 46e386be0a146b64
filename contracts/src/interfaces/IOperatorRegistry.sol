// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {BN254} from "../libraries/BN254.sol";
import {IStrategy} from "./IStrategy.sol";
import {IAVSRegistrar} from "./IAVSRegistrar.sol";

/// @title Types of the operator registry.
interface IOperatorRegistryTypes {
    /// @notice Registration payload: pk1, pk2 and the proof of possession sigma = sk * H(pubkeyRegistrationMessageHash(operator)).
    struct PubkeyRegistrationParams {
        BN254.G1Point pubkeyRegistrationSignature;
        BN254.G1Point pubkeyG1;
        BN254.G2Point pubkeyG2;
    }

    /// @notice A quorum: the strategy its stake is measured in and the minimum stake to join.
    struct Quorum {
        IStrategy strategy;
        uint96 minimumStake;
    }
}

/// @title Errors of the operator registry.
interface IOperatorRegistryErrors {
    /// @notice Only the allocation manager may call the registrar callbacks.
    error OnlyAllocationManager();
    /// @notice The callback names an AVS this registry does not serve.
    error InvalidAVS(address avs);
    /// @notice The proof of possession does not verify for this operator and key.
    error InvalidRegistrationSignature();
    /// @notice Only normal registration (type 0) is supported; churn is not.
    error UnsupportedRegistrationType(uint8 registrationType);
    /// @notice The BLS key is already registered by another operator.
    error PubkeyAlreadyRegistered(bytes32 operatorId, address owner);
    /// @notice The operator already registered a different BLS key (keys are permanent).
    error OperatorAlreadyHasKey(bytes32 operatorId);
    /// @notice A first registration must carry the BLS key and its proof of possession.
    error MissingPubkey();
    /// @notice The quorum number is not below quorumCount.
    error QuorumDoesNotExist(uint8 quorumNumber);
    /// @notice The operator is already registered for the quorum.
    error AlreadyRegisteredForQuorum(uint8 quorumNumber);
    /// @notice The operator is not registered for the quorum.
    error NotRegisteredForQuorum(uint8 quorumNumber);
    /// @notice The operator's allocated stake is below the quorum's minimum.
    error InsufficientStake(uint8 quorumNumber, uint96 stake, uint96 minimumStake);
    /// @notice Only the ejector may eject operators.
    error OnlyEjector();
    /// @notice No more quorums can be created (bitmaps hold 192).
    error MaxQuorumsReached();
}

/// @title Events of the operator registry.
interface IOperatorRegistryEvents {
    /// @notice A quorum (= operator set) was created.
    event QuorumCreated(uint8 indexed quorumNumber, address strategy, uint96 minimumStake);
    /// @notice The minimum stake of a quorum changed.
    event MinimumStakeUpdated(uint8 indexed quorumNumber, uint96 minimumStake);
    /// @notice The ejector changed.
    event EjectorUpdated(address ejector);
    /// @notice Recorded stakes now count what stays slashable `lookaheadBlocks` ahead.
    event SlashableStakeLookaheadUpdated(uint32 lookaheadBlocks);
    /// @notice The operator's socket (where its node can be reached), as EigenLayer's middleware emits it.
    event OperatorSocketUpdate(bytes32 indexed operatorId, string socket);
    /// @notice An operator registered its BLS key (once per operator, forever; operatorId =
    ///         keccak256(pubkeyG1)). Shaped like EigenLayer's BLSApkRegistry event.
    event NewPubkeyRegistration(address indexed operator, BN254.G1Point pubkeyG1, BN254.G2Point pubkeyG2);
    /// @notice An operator went from no quorum to some (the middleware's RegistryCoordinator event).
    event OperatorRegistered(address indexed operator, bytes32 indexed operatorId);
    /// @notice An operator left its last quorum (the middleware's RegistryCoordinator event).
    event OperatorDeregistered(address indexed operator, bytes32 indexed operatorId);
    /// @notice An operator joined quorums (the middleware's BLSApkRegistry event).
    event OperatorAddedToQuorums(address operator, bytes32 operatorId, bytes quorumNumbers);
    /// @notice An operator left quorums: itself, ejected, or below the minimum stake (the
    ///         middleware's BLSApkRegistry event).
    event OperatorRemovedFromQuorums(address operator, bytes32 operatorId, bytes quorumNumbers);
    /// @notice The ejector removed an operator from quorums.
    event OperatorEjected(address indexed operator, bytes quorumNumbers);
    /// @notice The stake recorded for an operator in a quorum changed.
    event OperatorStakeUpdate(bytes32 indexed operatorId, uint8 quorumNumber, uint96 stake);
}

/// @title BLS operator registry: keys, quorum membership, stake and aggregate-key histories.
interface IOperatorRegistry is
    IAVSRegistrar,
    IOperatorRegistryTypes,
    IOperatorRegistryErrors,
    IOperatorRegistryEvents
{
    /// @notice Create the next quorum (operator set id = quorum number) on `strategy`.
    function createQuorum(IStrategy strategy, uint96 minimumStake) external returns (uint8);

    /// @notice Change the minimum stake of a quorum (applies at the next stake update).
    function setMinimumStake(uint8 quorumNumber, uint96 minimumStake) external;

    /// @notice Set the address allowed to eject operators.
    function setEjector(address ejector) external;

    /// @notice Count only stake that stays slashable `lookaheadBlocks` after it is recorded
    ///         (owner only; the deployment sets max response window + challenge window).
    function setSlashableStakeLookahead(uint32 lookaheadBlocks) external;

    /// @notice Blocks ahead for which recorded stake must stay slashable.
    function slashableStakeLookahead() external view returns (uint32);

    /// @notice The socket an operator registered with.
    function getOperatorSocket(bytes32 operatorId) external view returns (string memory);

    /// @notice Remove an operator from quorums (ejector only).
    function ejectOperator(address operator, bytes calldata quorumNumbers) external;

    /// @notice Refresh the recorded stakes of operators to what stays slashable
    ///         `slashableStakeLookahead` blocks ahead; operators below a quorum's minimum are
    ///         deregistered from it. Anyone may call (aggregators do before certifying).
    function updateOperators(address[] calldata operators) external;

    /// @notice H(EIP-712 digest of BN254PubkeyRegistration(operator)): what the PoP signs.
    function pubkeyRegistrationMessageHash(address operator)
        external
        view
        returns (BN254.G1Point memory);

    /// @notice Number of quorums.
    function quorumCount() external view returns (uint8);

    /// @notice Configuration of a quorum.
    function getQuorum(uint8 quorumNumber) external view returns (Quorum memory);

    /// @notice operatorId (keccak256 of pk1) of an operator, zero if it has no key.
    function getOperatorId(address operator) external view returns (bytes32);

    /// @notice The operator that owns `operatorId`.
    function getOperatorFromId(bytes32 operatorId) external view returns (address);

    /// @notice The operator's registered G1 public key.
    function getOperatorPubkeyG1(address operator) external view returns (BN254.G1Point memory);

    /// @notice keccak256 of the operator's registered G2 public key (EIP-197 word order).
    function getOperatorPubkeyG2Hash(address operator) external view returns (bytes32);

    /// @notice Current quorum bitmap of an operator.
    function getCurrentQuorumBitmap(bytes32 operatorId) external view returns (uint192);

    /// @notice Current aggregate G1 key of a quorum.
    function getCurrentApk(uint8 quorumNumber) external view returns (BN254.G1Point memory);

    /// @notice Current recorded stake of an operator in a quorum.
    function getCurrentStake(bytes32 operatorId, uint8 quorumNumber) external view returns (uint96);

    /// @notice Current total recorded stake of a quorum.
    function getCurrentTotalStake(uint8 quorumNumber) external view returns (uint96);

    /// @notice Quorum bitmap at a block, using a history index hint.
    function getQuorumBitmapAtBlockNumberByIndex(bytes32 operatorId, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint192);

    /// @notice bytes24 APK hash of a quorum at a block, using a history index hint.
    function getApkHashAtBlockNumberByIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (bytes24);

    /// @notice Total stake of a quorum at a block, using a history index hint.
    function getTotalStakeAtBlockNumberFromIndex(uint8 quorumNumber, uint32 blockNumber, uint256 index)
        external
        view
        returns (uint96);

    /// @notice Stake of an operator in a quorum at a block, using a history index hint.
    function getStakeAtBlockNumberAndIndex(
        uint8 quorumNumber,
        uint32 blockNumber,
        bytes32 operatorId,
        uint256 index
    ) external view returns (uint96);

    /// @notice Stake of an operator in a quorum at a block (binary search; 0 before registration).
    function getStakeAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint96);

    /// @notice Quorum bitmap of an operator at a block (binary search; 0 before registration).
    function getQuorumBitmapAtBlockNumber(bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (uint192);

    /// @notice History index hint of an operator's quorum bitmap at a block.
    function getQuorumBitmapIndexAtBlockNumber(bytes32 operatorId, uint32 blockNumber)
        external
        view
        returns (uint32);

    /// @notice History index hint of a quorum's APK at a block.
    function getApkIndexAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32);

    /// @notice History index hint of a quorum's total stake at a block.
    function getTotalStakeIndexAtBlockNumber(uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32);

    /// @notice History index hint of an operator's stake in a quorum at a block.
    function getStakeIndexAtBlockNumber(bytes32 operatorId, uint8 quorumNumber, uint32 blockNumber)
        external
        view
        returns (uint32);

    /// @notice Number of operators that ever registered a key.
    function operatorIdCount() external view returns (uint256);

    /// @notice The i-th operator id in registration order.
    function operatorIdAt(uint256 i) external view returns (bytes32);
}
