// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IPermissionController} from "../interfaces/IPermissionController.sol";

/// @title Lets a core contract check "may msg.sender act for this account?" (EigenLayer's mixin).
abstract contract PermissionControllerMixin {
    /// @notice The caller is neither the account's admin nor appointed for this function.
    error InvalidPermissions();

    /// @notice The permission controller consulted for every account-scoped call.
    IPermissionController public immutable permissionController;

    /// @param permissionController_ The permission controller.
    constructor(IPermissionController permissionController_) {
        permissionController = permissionController_;
    }

    modifier checkCanCall(address account) {
        if (!_canCall(account)) revert InvalidPermissions();
        _;
    }

    function _canCall(address account) internal view returns (bool) {
        return permissionController.canCall(account, msg.sender, address(this), msg.sig);
    }
}
