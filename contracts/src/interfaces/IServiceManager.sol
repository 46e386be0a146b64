// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IAVSRegistrar} from "./IAVSRegistrar.sol";

/// @title The AVS's identity towards the restaking core: registrar wiring and slashing.
interface IServiceManager {
    /// @notice Only the slasher (the slashing manager) may slash.
    error OnlySlasher();

    /// @notice The slasher changed.
    event SlasherUpdated(address slasher);

    /// @notice Point the allocation manager at `registrar` for this AVS (owner only).
    function setAVSRegistrar(IAVSRegistrar registrar) external;

    /// @notice Let `appointee` call `selector` on `target` for this AVS through the permission
    ///         controller (owner only), e.g. the registry for createOperatorSets.
    function setAppointee(address appointee, address target, bytes4 selector) external;

    /// @notice Revoke an appointment made with `setAppointee` (owner only).
    function removeAppointee(address appointee, address target, bytes4 selector) external;

    /// @notice Set the contract allowed to slash (owner only).
    function setSlasher(address slasher) external;

    /// @notice Emit the AVS metadata URI through the allocation manager (owner only).
    function updateAVSMetadataURI(string calldata metadataURI) external;

    /// @notice Slash `wadToSlash` (1e18 = 100%) of `operator`'s allocation in each quorum where it
    ///         is still slashable, then refresh its recorded stake.
    /// @return sharesSlashed Total shares removed across the quorums.
    function slashOperator(
        address operator,
        bytes calldata quorumNumbers,
        uint256 wadToSlash,
        string calldata description
    ) external returns (uint256 sharesSlashed);
}
