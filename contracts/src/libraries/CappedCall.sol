// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title A call to an untrusted contract with an exact gas budget and bounded returndata.
/// @notice Used for consumer callbacks: the callee gets exactly `gasLimit` (the caller reverts
///         when its own gas cannot guarantee that, so nobody can starve a callback by sending a
///         transaction with too little gas), and at most `maxCopy` bytes of what it returns are
///         copied, so a callee cannot make the caller pay for a returndata bomb.
library CappedCall {
    /// @notice Gas the caller keeps for the CALL itself (cold account access, memory) and the
    ///         bookkeeping after it.
    uint256 internal constant RESERVE = 10_000;

    /// @notice The transaction's gas cannot give the callee its full `gasLimit`.
    error InsufficientGas(uint256 gasLeft, uint256 gasLimit);

    /// @notice Call `target` with `data`, forwarding exactly `gasLimit` gas and no value.
    /// @return ok Whether the call succeeded.
    /// @return returned Its returndata, cut to `maxCopy` bytes.
    function call(address target, uint256 gasLimit, bytes memory data, uint256 maxCopy)
        internal
        returns (bool ok, bytes memory returned)
    {
        // EIP-150 forwards at most 63/64 of what is left: require enough that the callee gets
        // all of gasLimit, whatever gas the transaction was sent with.
        uint256 left = gasleft();
        if (left < RESERVE || (left - RESERVE) - (left - RESERVE) / 64 < gasLimit) {
            revert InsufficientGas(left, gasLimit);
        }
        assembly ("memory-safe") {
            ok := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
            let size := returndatasize()
            if gt(size, maxCopy) { size := maxCopy }
            returned := mload(0x40)
            mstore(returned, size)
            returndatacopy(add(returned, 0x20), 0, size)
            mstore(0x40, add(add(returned, 0x20), and(add(size, 31), not(31))))
        }
    }
}
