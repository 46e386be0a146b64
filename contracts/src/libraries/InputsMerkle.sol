// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Membership proofs for a task's inputsRoot (mirrors avs/protocol.py inputs_root).
/// @notice The tree is a binary keccak tree over leaves keccak256(input_i); at a level with an
///         odd number of nodes the last node is carried up unchanged. The shape therefore depends
///         only on the leaf count, so a proof is exactly the siblings that exist on the path: the
///         verifier walks the levels itself and never trusts the proof's length, which rules out
///         passing an interior node off as a leaf.
library InputsMerkle {
    /// @notice Whether `leafHash` is leaf `index` of the tree of `count` leaves rooted at `root`.
    function verify(
        bytes32 root,
        uint256 count,
        uint256 index,
        bytes32 leafHash,
        bytes32[] calldata proof
    ) internal pure returns (bool) {
        if (index >= count) return false;
        bytes32 node = leafHash;
        uint256 used = 0;
        while (count > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < count) {
                if (used == proof.length) return false;
                bytes32 other = proof[used++];
                node = index & 1 == 0 ? _pair(node, other) : _pair(other, node);
            }
            index >>= 1;
            count = (count + 1) >> 1;
        }
        return used == proof.length && node == root;
    }

    function _pair(bytes32 left, bytes32 right) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            h := keccak256(0x00, 0x40)
        }
    }
}
