// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Errors of the permission controller (EigenLayer IPermissionController).
interface IPermissionControllerErrors {
    /// @notice The caller is not an admin of the account.
    error NotAdmin();
    /// @notice The address is not an admin of the account.
    error AdminNotSet();
    /// @notice The appointee already holds this permission.
    error AppointeeAlreadySet();
    /// @notice The appointee does not hold this permission.
    error AppointeeNotSet();
    /// @notice The last admin cannot be removed.
    error CannotHaveZeroAdmins();
    /// @notice The address is already an admin.
    error AdminAlreadySet();
    /// @notice The address is not a pending admin.
    error AdminNotPending();
    /// @notice The address is already a pending admin.
    error AdminAlreadyPending();
}

/// @title Events of the permission controller (EigenLayer IPermissionController).
interface IPermissionControllerEvents {
    /// @notice `appointee` may now call `selector` on `target` for `account`.
    event AppointeeSet(address indexed account, address indexed appointee, address target, bytes4 selector);
    /// @notice `appointee` may no longer call `selector` on `target` for `account`.
    event AppointeeRemoved(address indexed account, address indexed appointee, address target, bytes4 selector);
    /// @notice `admin` was proposed as an admin of `account`.
    event PendingAdminAdded(address indexed account, address admin);
    /// @notice The proposal of `admin` for `account` was withdrawn.
    event PendingAdminRemoved(address indexed account, address admin);
    /// @notice `admin` became an admin of `account`.
    event AdminSet(address indexed account, address admin);
    /// @notice `admin` is no longer an admin of `account`.
    event AdminRemoved(address indexed account, address admin);
}

/// @title Who may act for an account (an operator or an AVS) in the core contracts.
/// @notice Exactly EigenLayer's IPermissionController (v1.x). An account without admins is its own
///         admin; admins may appoint addresses to call single (target, selector) pairs for it.
interface IPermissionController is IPermissionControllerErrors, IPermissionControllerEvents {
    /// @notice Propose `admin` as an admin of `account` (an admin of `account` calls).
    function addPendingAdmin(address account, address admin) external;

    /// @notice Withdraw a pending admin proposal (an admin of `account` calls).
    function removePendingAdmin(address account, address admin) external;

    /// @notice Accept a pending admin proposal for `account` (the proposed admin calls).
    function acceptAdmin(address account) external;

    /// @notice Remove an admin of `account` (another admin calls; one must remain).
    function removeAdmin(address account, address admin) external;

    /// @notice Let `appointee` call `selector` on `target` for `account` (an admin calls).
    function setAppointee(address account, address appointee, address target, bytes4 selector)
        external;

    /// @notice Revoke an appointment (an admin calls).
    function removeAppointee(address account, address appointee, address target, bytes4 selector)
        external;

    /// @notice Whether `caller` is an admin of `account` (the account itself while it has none).
    function isAdmin(address account, address caller) external view returns (bool);

    /// @notice Whether `pendingAdmin` is a pending admin of `account`.
    function isPendingAdmin(address account, address pendingAdmin) external view returns (bool);

    /// @notice Admins of `account` (just the account while it has none).
    function getAdmins(address account) external view returns (address[] memory);

    /// @notice Pending admins of `account`.
    function getPendingAdmins(address account) external view returns (address[] memory);

    /// @notice Whether `caller` may call `selector` on `target` for `account`.
    function canCall(address account, address caller, address target, bytes4 selector)
        external
        view
        returns (bool);

    /// @notice Every (target, selector) pair `appointee` holds for `account`.
    function getAppointeePermissions(address account, address appointee)
        external
        view
        returns (address[] memory, bytes4[] memory);

    /// @notice Every appointee of `account` for (target, selector).
    function getAppointees(address account, address target, bytes4 selector)
        external
        view
        returns (address[] memory);
}
