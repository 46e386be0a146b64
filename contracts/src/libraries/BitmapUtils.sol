// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @title Quorum bitmaps: bit q set means quorum number q is included.
library BitmapUtils {
    /// @notice Quorum numbers must be given in strictly ascending order without duplicates.
    error QuorumNumbersNotOrdered();
    /// @notice At least one quorum number is required.
    error EmptyQuorumNumbers();

    /// @notice Convert strictly ascending quorum numbers to a bitmap; reverts on disorder.
    function orderedBytesToBitmap(bytes calldata numbers) internal pure returns (uint256 bitmap) {
        if (numbers.length == 0) revert EmptyQuorumNumbers();
        uint256 previous = 0;
        for (uint256 i = 0; i < numbers.length; ++i) {
            uint256 bit = 1 << uint8(numbers[i]);
            if (bit <= previous) revert QuorumNumbersNotOrdered();
            bitmap |= bit;
            previous = bit;
        }
    }

    /// @notice The quorum numbers of a bitmap, ascending.
    function bitmapToBytes(uint256 bitmap) internal pure returns (bytes memory numbers) {
        numbers = new bytes(countOnes(bitmap));
        uint256 n = 0;
        for (uint256 q = 0; bitmap != 0; ++q) {
            if (bitmap & 1 == 1) numbers[n++] = bytes1(uint8(q));
            bitmap >>= 1;
        }
    }

    /// @notice Number of set bits.
    function countOnes(uint256 bitmap) internal pure returns (uint256 count) {
        while (bitmap != 0) {
            bitmap &= bitmap - 1;
            ++count;
        }
    }

    /// @notice Whether quorum `q` is in `bitmap`.
    function isSet(uint256 bitmap, uint8 q) internal pure returns (bool) {
        return (bitmap >> q) & 1 == 1;
    }
}
