// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Callback an AVS registers with the allocation manager (EigenLayer IAVSRegistrar shape).
interface IAVSRegistrar {
    /// @notice Called by the allocation manager when `operator` joins `operatorSetIds` of `avs`.
    /// @param data AVS-specific payload (here: the BLS key and its proof of possession).
    function registerOperator(
        address operator,
        address avs,
        uint32[] calldata operatorSetIds,
        bytes calldata data
    ) external;

    /// @notice Called by the allocation manager when `operator` leaves `operatorSetIds` of `avs`.
    function deregisterOperator(address operator, address avs, uint32[] calldata operatorSetIds)
        external;

    /// @notice Whether this registrar serves `avs`.
    function supportsAVS(address avs) external view returns (bool);
}
