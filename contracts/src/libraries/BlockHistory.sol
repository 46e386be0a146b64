// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Block-keyed value history packed one entry per storage slot.
/// @notice Entry layout (256 bits): value (uint192, high) | updateBlock (uint32) | nextUpdateBlock
///         (uint32, low; 0 while the entry is the latest). An entry is valid for blocks in
///         [updateBlock, nextUpdateBlock). Stakes (uint96), quorum bitmaps (uint192) and bytes24
///         APK hashes all fit in the value, so one library serves every history of the registry.
///         Lookups by index ("hints") cost one SLOAD, which keeps the certificate check cheap.
library BlockHistory {
    /// @notice `index` does not point at the entry that was current at `blockNumber`.
    error InvalidHistoryIndex(uint256 index, uint32 blockNumber);
    /// @notice The history has no entry at or before `blockNumber`.
    error NoHistoryAtBlock(uint32 blockNumber);

    /// @notice Decode one packed entry.
    function decode(uint256 entry)
        internal
        pure
        returns (uint192 value, uint32 updateBlock, uint32 nextUpdateBlock)
    {
        value = uint192(entry >> 64);
        updateBlock = uint32(entry >> 32);
        nextUpdateBlock = uint32(entry);
    }

    function _encode(uint192 value, uint32 updateBlock, uint32 nextUpdateBlock)
        private
        pure
        returns (uint256)
    {
        return (uint256(value) << 64) | (uint256(updateBlock) << 32) | uint256(nextUpdateBlock);
    }

    /// @notice Record `value` from the current block on (overwrites an entry made in this block).
    function record(uint256[] storage h, uint192 value) internal {
        uint32 blockNow = uint32(block.number);
        uint256 n = h.length;
        if (n != 0) {
            (uint192 lastValue, uint32 lastBlock,) = decode(h[n - 1]);
            if (lastBlock == blockNow) {
                h[n - 1] = _encode(value, blockNow, 0);
                return;
            }
            h[n - 1] = _encode(lastValue, lastBlock, blockNow);
        }
        h.push(_encode(value, blockNow, 0));
    }

    /// @notice The latest value, 0 for an empty history.
    function latest(uint256[] storage h) internal view returns (uint192 value) {
        uint256 n = h.length;
        if (n == 0) return 0;
        (value,,) = decode(h[n - 1]);
    }

    /// @notice The value at `blockNumber` using a hint; reverts unless `index` is the right entry.
    /// @dev One SLOAD: the length is not read. Entries are never removed and each records the
    ///      block it was made in (>= 1), so the zero word past the end is no valid entry.
    ///      Hints are uint32 in every certificate, which also keeps the slot inside the array.
    function atIndex(uint256[] storage h, uint32 blockNumber, uint256 index)
        internal
        view
        returns (uint192 value)
    {
        if (index > type(uint32).max) revert InvalidHistoryIndex(index, blockNumber);
        uint256 entry;
        assembly ("memory-safe") {
            mstore(0, h.slot)
            entry := sload(add(keccak256(0, 0x20), index))
        }
        (uint192 v, uint32 updateBlock, uint32 nextUpdateBlock) = decode(entry);
        if (
            updateBlock == 0 || blockNumber < updateBlock
                || (nextUpdateBlock != 0 && blockNumber >= nextUpdateBlock)
        ) {
            revert InvalidHistoryIndex(index, blockNumber);
        }
        return v;
    }

    /// @notice Binary search for the entry current at `blockNumber`.
    /// @return found False when the history starts after `blockNumber` (value is then 0).
    function search(uint256[] storage h, uint32 blockNumber)
        internal
        view
        returns (bool found, uint256 index, uint192 value)
    {
        uint256 lo = 0;
        uint256 hi = h.length;
        // invariant: entries [0, lo) start at or before blockNumber; [hi, n) start after it
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            (, uint32 updateBlock,) = decode(h[mid]);
            if (updateBlock <= blockNumber) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0) return (false, 0, 0);
        index = lo - 1;
        (value,,) = decode(h[index]);
        found = true;
    }

    /// @notice The index current at `blockNumber`; reverts if the history starts later.
    function indexAt(uint256[] storage h, uint32 blockNumber) internal view returns (uint32) {
        (bool found, uint256 index,) = search(h, blockNumber);
        if (!found) revert NoHistoryAtBlock(blockNumber);
        return uint32(index);
    }
}
