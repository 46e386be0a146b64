// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IStrategy} from "../interfaces/IStrategy.sol";
import {IAVSRegistrar} from "../interfaces/IAVSRegistrar.sol";
import {IAllocationManager, IAllocationManagerTypes} from "../interfaces/IAllocationManager.sol";
import {IPermissionController} from "../interfaces/IPermissionController.sol";
import {IOperatorRegistry} from "../interfaces/IOperatorRegistry.sol";
import {IServiceManager} from "../interfaces/IServiceManager.sol";

/// @title The AVS: its address is the AVS identity in EigenLayer's core contracts.
/// @notice Publishes the metadata URI, sets the registrar, and appoints (through the
///         permission controller) the contracts that act for the AVS: the registry creates
///         operator sets and deregisters (ejects) operators. It is the slasher of every operator
///         set, and the only path into `slashOperator`: the slashing manager (which verifies
///         evidence) calls it, and it slashes the operator in each quorum where it is still
///         slashable, then refreshes the operator's recorded stake.
/// @dev Storage: registry, slasher. Immutable: allocationManager, permissionController.
contract ServiceManager is IServiceManager, Ownable {
    /// @notice The restaking core's allocation manager.
    IAllocationManager public immutable allocationManager;
    /// @notice The restaking core's permission controller.
    IPermissionController public immutable permissionController;
    /// @notice The operator registry (the AVS registrar).
    IOperatorRegistry public registry;
    /// @notice The only address allowed to slash.
    address public slasher;

    /// @param allocationManager_ The allocation manager.
    /// @param permissionController_ The permission controller.
    /// @param owner_ Configures metadata, registrar, appointees and slasher.
    constructor(IAllocationManager allocationManager_, IPermissionController permissionController_, address owner_)
        Ownable(owner_)
    {
        allocationManager = allocationManager_;
        permissionController = permissionController_;
    }

    /// @inheritdoc IServiceManager
    function updateAVSMetadataURI(string calldata metadataURI) external onlyOwner {
        allocationManager.updateAVSMetadataURI(address(this), metadataURI);
    }

    /// @inheritdoc IServiceManager
    function setAVSRegistrar(IAVSRegistrar registrar) external onlyOwner {
        registry = IOperatorRegistry(address(registrar));
        allocationManager.setAVSRegistrar(address(this), registrar);
    }

    /// @inheritdoc IServiceManager
    function setAppointee(address appointee, address target, bytes4 selector) external onlyOwner {
        permissionController.setAppointee(address(this), appointee, target, selector);
    }

    /// @inheritdoc IServiceManager
    function removeAppointee(address appointee, address target, bytes4 selector) external onlyOwner {
        permissionController.removeAppointee(address(this), appointee, target, selector);
    }

    /// @inheritdoc IServiceManager
    function setSlasher(address slasher_) external onlyOwner {
        slasher = slasher_;
        emit SlasherUpdated(slasher_);
    }

    /// @inheritdoc IServiceManager
    function slashOperator(
        address operator,
        bytes calldata quorumNumbers,
        uint256 wadToSlash,
        string calldata description
    ) external returns (uint256 sharesSlashed) {
        if (msg.sender != slasher) revert OnlySlasher();
        for (uint256 i = 0; i < quorumNumbers.length; ++i) {
            sharesSlashed += _slashIn(operator, uint8(quorumNumbers[i]), wadToSlash, description);
        }
        address[] memory operators = new address[](1);
        operators[0] = operator;
        registry.updateOperators(operators);
    }

    /// @dev Slash in one operator set; skipped (0) if the operator is no longer slashable there.
    function _slashIn(address operator, uint8 q, uint256 wadToSlash, string calldata description)
        private
        returns (uint256)
    {
        IAllocationManagerTypes.SlashingParams memory params;
        params.operator = operator;
        params.operatorSetId = q;
        if (
            !allocationManager.isOperatorSlashable(
                operator, IAllocationManagerTypes.OperatorSet(address(this), q)
            )
        ) return 0;
        params.strategies = new IStrategy[](1);
        params.strategies[0] = registry.getQuorum(q).strategy;
        params.wadsToSlash = new uint256[](1);
        params.wadsToSlash[0] = wadToSlash;
        params.description = description;
        (, uint256[] memory shares) = allocationManager.slashOperator(address(this), params);
        return shares[0];
    }
}
