// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IPermissionController} from "../interfaces/IPermissionController.sol";

/// @title Who may act for an account in the core contracts (EigenLayer's PermissionController).
/// @notice An account with no admins is its own admin. Admins are added in two steps (propose,
///         accept) and the last one cannot leave. An admin appoints other addresses to single
///         (target, selector) pairs, e.g. an AVS appoints its registry to
///         `AllocationManager.createOperatorSets`.
/// @dev Storage per account: _admins, _pendingAdmins (address sets), _appointees[key] and
///      _permissions[appointee] where key = target || selector (bytes32).
contract PermissionController is IPermissionController {
    using EnumerableSet for EnumerableSet.AddressSet;
    using EnumerableSet for EnumerableSet.Bytes32Set;

    struct AccountPermissions {
        EnumerableSet.AddressSet admins;
        EnumerableSet.AddressSet pendingAdmins;
        mapping(bytes32 => EnumerableSet.AddressSet) appointees;
        mapping(address => EnumerableSet.Bytes32Set) permissions;
    }

    mapping(address => AccountPermissions) private _accounts;

    modifier onlyAdmin(address account) {
        if (!isAdmin(account, msg.sender)) revert NotAdmin();
        _;
    }

    /// @inheritdoc IPermissionController
    function addPendingAdmin(address account, address admin) external onlyAdmin(account) {
        AccountPermissions storage p = _accounts[account];
        if (p.admins.contains(admin)) revert AdminAlreadySet();
        if (!p.pendingAdmins.add(admin)) revert AdminAlreadyPending();
        emit PendingAdminAdded(account, admin);
    }

    /// @inheritdoc IPermissionController
    function removePendingAdmin(address account, address admin) external onlyAdmin(account) {
        if (!_accounts[account].pendingAdmins.remove(admin)) revert AdminNotPending();
        emit PendingAdminRemoved(account, admin);
    }

    /// @inheritdoc IPermissionController
    function acceptAdmin(address account) external {
        AccountPermissions storage p = _accounts[account];
        if (!p.pendingAdmins.remove(msg.sender)) revert AdminNotPending();
        p.admins.add(msg.sender);
        emit AdminSet(account, msg.sender);
    }

    /// @inheritdoc IPermissionController
    function removeAdmin(address account, address admin) external onlyAdmin(account) {
        AccountPermissions storage p = _accounts[account];
        if (p.admins.length() == 1) revert CannotHaveZeroAdmins();
        if (!p.admins.remove(admin)) revert AdminNotSet();
        emit AdminRemoved(account, admin);
    }

    /// @inheritdoc IPermissionController
    function setAppointee(address account, address appointee, address target, bytes4 selector)
        external
        onlyAdmin(account)
    {
        AccountPermissions storage p = _accounts[account];
        bytes32 key = _key(target, selector);
        if (!p.appointees[key].add(appointee)) revert AppointeeAlreadySet();
        p.permissions[appointee].add(key);
        emit AppointeeSet(account, appointee, target, selector);
    }

    /// @inheritdoc IPermissionController
    function removeAppointee(address account, address appointee, address target, bytes4 selector)
        external
        onlyAdmin(account)
    {
        AccountPermissions storage p = _accounts[account];
        bytes32 key = _key(target, selector);
        if (!p.appointees[key].remove(appointee)) revert AppointeeNotSet();
        p.permissions[appointee].remove(key);
        emit AppointeeRemoved(account, appointee, target, selector);
    }

    /// @inheritdoc IPermissionController
    function isAdmin(address account, address caller) public view returns (bool) {
        EnumerableSet.AddressSet storage admins = _accounts[account].admins;
        if (admins.length() == 0) return account == caller;
        return admins.contains(caller);
    }

    /// @inheritdoc IPermissionController
    function isPendingAdmin(address account, address pendingAdmin) external view returns (bool) {
        return _accounts[account].pendingAdmins.contains(pendingAdmin);
    }

    /// @inheritdoc IPermissionController
    function getAdmins(address account) external view returns (address[] memory admins) {
        admins = _accounts[account].admins.values();
        if (admins.length == 0) {
            admins = new address[](1);
            admins[0] = account;
        }
    }

    /// @inheritdoc IPermissionController
    function getPendingAdmins(address account) external view returns (address[] memory) {
        return _accounts[account].pendingAdmins.values();
    }

    /// @inheritdoc IPermissionController
    function canCall(address account, address caller, address target, bytes4 selector)
        external
        view
        returns (bool)
    {
        return isAdmin(account, caller)
            || _accounts[account].appointees[_key(target, selector)].contains(caller);
    }

    /// @inheritdoc IPermissionController
    function getAppointeePermissions(address account, address appointee)
        external
        view
        returns (address[] memory targets, bytes4[] memory selectors)
    {
        bytes32[] memory keys = _accounts[account].permissions[appointee].values();
        targets = new address[](keys.length);
        selectors = new bytes4[](keys.length);
        for (uint256 i = 0; i < keys.length; ++i) {
            (targets[i], selectors[i]) = _split(keys[i]);
        }
    }

    /// @inheritdoc IPermissionController
    function getAppointees(address account, address target, bytes4 selector)
        external
        view
        returns (address[] memory)
    {
        return _accounts[account].appointees[_key(target, selector)].values();
    }

    function _key(address target, bytes4 selector) private pure returns (bytes32) {
        return bytes32(abi.encodePacked(target, selector));
    }

    function _split(bytes32 key) private pure returns (address target, bytes4 selector) {
        target = address(bytes20(key));
        selector = bytes4(key << 160);
    }
}
