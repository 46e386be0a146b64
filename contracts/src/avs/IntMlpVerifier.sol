// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IExactTaskVerifier} from "../interfaces/IExactTaskVerifier.sol";
import {IIntMlpVerifier} from "../interfaces/IIntMlpVerifier.sol";

/// @title Re-executes one int-mlp model on chain, exactly as the numpy reference and ONNX do.
/// @notice One instance per model: the constructor validates the canonical encoding (shape,
///         output layer last, clip and shift ranges, and that no pre-activation can leave int32
///         for byte inputs, the same bound avs/tasks/int_mlp_reference.py enforces), then keeps
///         only its hash (and publishes the bytes once in ModelCommitted). A challenge re-supplies the bytes in calldata; once they hash to the
///         commitment they are known valid, so re-execution parses them without re-checking.
///         Arithmetic runs in int256 where, given the bound, every value is the int32 one.
/// @dev No storage: every field is immutable.
contract IntMlpVerifier is IIntMlpVerifier {
    uint256 private constant VERSION = 1;
    uint256 private constant HEADER = 4;
    uint256 private constant LAYER_HEADER = 7;
    uint256 private constant INT32_MAX = 2 ** 31 - 1;
    uint256 private constant INPUT_MAX = 255;
    uint256 private constant MAX_CLASSES = 255; // labels 0..254; 0xFF is ABSTAIN in results
    uint256 private constant MAX_SHIFT = 31;

    /// @inheritdoc IIntMlpVerifier
    uint256 public immutable inputWidth;
    /// @inheritdoc IExactTaskVerifier
    bytes32 public immutable modelCommitment;
    /// @inheritdoc IExactTaskVerifier
    uint256 public immutable parameterCount;

    /// @param model The canonical int-mlp encoding of the model to commit to.
    constructor(bytes memory model) {
        (inputWidth, parameterCount) = _validate(model);
        bytes32 commitment = keccak256(model);
        modelCommitment = commitment;
        emit ModelCommitted(commitment, model);
    }

    /// @inheritdoc IExactTaskVerifier
    function taskType() external pure returns (string memory) {
        return "int-mlp";
    }

    /// @inheritdoc IExactTaskVerifier
    function resultEntrySize() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc IExactTaskVerifier
    function recompute(bytes calldata model, bytes calldata input) external view returns (bytes memory) {
        return abi.encodePacked(_label(model, input));
    }

    /// @inheritdoc IIntMlpVerifier
    function label(bytes calldata model, bytes calldata input) external view returns (uint8) {
        return _label(model, input);
    }

    function _label(bytes calldata model, bytes calldata input) private view returns (uint8) {
        bytes32 given = keccak256(model);
        if (given != modelCommitment) revert ModelMismatch(given, modelCommitment);
        if (input.length != inputWidth) revert InputWidthMismatch(input.length, inputWidth);
        return _forward(model, input);
    }

    /// @dev Runs a committed (hence valid) model; see the encoding in IIntMlpVerifier.
    function _forward(bytes calldata model, bytes calldata input) private pure returns (uint8) {
        uint256 layers = uint8(model[1]);
        uint256 inW = input.length;
        uint256[] memory act = new uint256[](inW);
        for (uint256 i = 0; i < inW; ++i) {
            act[i] = uint8(input[i]);
        }
        uint256 p = HEADER;
        for (uint256 l = 0; l < layers; ++l) {
            uint256 outW = _u16(model, p);
            uint256 shift = uint8(model[p + 2]);
            int256 clip = int32(uint32(bytes4(model[p + 3:p + 7])));
            p += LAYER_HEADER;
            uint256 biases = p;
            p += 4 * outW;
            uint256[] memory next = new uint256[](outW);
            _layer(model, biases, p, act, next, shift, clip);
            p += outW * inW;
            act = next;
            inW = outW;
        }
        return _argmax(act);
    }

    /// @dev next[j] = activation(bias_j + sum_i act[i] * w[j][i]); values are int256 words in
    ///      two's complement (hidden activations are >= 0, output logits may be negative).
    function _layer(
        bytes calldata model,
        uint256 biases,
        uint256 weights,
        uint256[] memory act,
        uint256[] memory next,
        uint256 shift,
        int256 clip
    ) private pure {
        assembly ("memory-safe") {
            let inW := mload(act)
            let outW := mload(next)
            let a := add(act, 0x20)
            let base := model.offset
            let row := add(base, weights)
            for { let j := 0 } lt(j, outW) { j := add(j, 1) } {
                let z := signextend(3, shr(224, calldataload(add(base, add(biases, mul(j, 4))))))
                let ap := a
                let i := 0
                // whole words of 32 weights, unrolled (loop overhead would double the cost)
                for {} lt(add(i, 31), inW) { i := add(i, 32) } {
                    let word := calldataload(add(row, i))
                        z := add(z, mul(mload(add(ap, 0x0)), signextend(0, byte(0, word))))
                        z := add(z, mul(mload(add(ap, 0x20)), signextend(0, byte(1, word))))
                        z := add(z, mul(mload(add(ap, 0x40)), signextend(0, byte(2, word))))
                        z := add(z, mul(mload(add(ap, 0x60)), signextend(0, byte(3, word))))
                        z := add(z, mul(mload(add(ap, 0x80)), signextend(0, byte(4, word))))
                        z := add(z, mul(mload(add(ap, 0xa0)), signextend(0, byte(5, word))))
                        z := add(z, mul(mload(add(ap, 0xc0)), signextend(0, byte(6, word))))
                        z := add(z, mul(mload(add(ap, 0xe0)), signextend(0, byte(7, word))))
                        z := add(z, mul(mload(add(ap, 0x100)), signextend(0, byte(8, word))))
                        z := add(z, mul(mload(add(ap, 0x120)), signextend(0, byte(9, word))))
                        z := add(z, mul(mload(add(ap, 0x140)), signextend(0, byte(10, word))))
                        z := add(z, mul(mload(add(ap, 0x160)), signextend(0, byte(11, word))))
                        z := add(z, mul(mload(add(ap, 0x180)), signextend(0, byte(12, word))))
                        z := add(z, mul(mload(add(ap, 0x1a0)), signextend(0, byte(13, word))))
                        z := add(z, mul(mload(add(ap, 0x1c0)), signextend(0, byte(14, word))))
                        z := add(z, mul(mload(add(ap, 0x1e0)), signextend(0, byte(15, word))))
                        z := add(z, mul(mload(add(ap, 0x200)), signextend(0, byte(16, word))))
                        z := add(z, mul(mload(add(ap, 0x220)), signextend(0, byte(17, word))))
                        z := add(z, mul(mload(add(ap, 0x240)), signextend(0, byte(18, word))))
                        z := add(z, mul(mload(add(ap, 0x260)), signextend(0, byte(19, word))))
                        z := add(z, mul(mload(add(ap, 0x280)), signextend(0, byte(20, word))))
                        z := add(z, mul(mload(add(ap, 0x2a0)), signextend(0, byte(21, word))))
                        z := add(z, mul(mload(add(ap, 0x2c0)), signextend(0, byte(22, word))))
                        z := add(z, mul(mload(add(ap, 0x2e0)), signextend(0, byte(23, word))))
                        z := add(z, mul(mload(add(ap, 0x300)), signextend(0, byte(24, word))))
                        z := add(z, mul(mload(add(ap, 0x320)), signextend(0, byte(25, word))))
                        z := add(z, mul(mload(add(ap, 0x340)), signextend(0, byte(26, word))))
                        z := add(z, mul(mload(add(ap, 0x360)), signextend(0, byte(27, word))))
                        z := add(z, mul(mload(add(ap, 0x380)), signextend(0, byte(28, word))))
                        z := add(z, mul(mload(add(ap, 0x3a0)), signextend(0, byte(29, word))))
                        z := add(z, mul(mload(add(ap, 0x3c0)), signextend(0, byte(30, word))))
                        z := add(z, mul(mload(add(ap, 0x3e0)), signextend(0, byte(31, word))))
                    ap := add(ap, 0x400)
                }
                // the row's last partial word
                if lt(i, inW) {
                    let word := calldataload(add(row, i))
                    for { let k := 0 } lt(k, sub(inW, i)) { k := add(k, 1) } {
                        z := add(z, mul(mload(ap), signextend(0, byte(k, word))))
                        ap := add(ap, 0x20)
                    }
                }
                row := add(row, inW)
                // hidden layer: ReLU, floor shift, saturate (clip >= 0); output layer: clip = -1
                if iszero(slt(clip, 0)) {
                    if slt(z, 0) { z := 0 }
                    z := shr(shift, z)
                    if sgt(z, clip) { z := clip }
                }
                mstore(add(next, shl(5, add(j, 1))), z)
            }
        }
    }

    /// @dev Index of the largest logit, the first one on ties.
    function _argmax(uint256[] memory logits) private pure returns (uint8 best) {
        int256 top = int256(logits[0]);
        for (uint256 j = 1; j < logits.length; ++j) {
            int256 v = int256(logits[j]);
            if (v > top) {
                top = v;
                best = uint8(j);
            }
        }
    }

    function _u16(bytes calldata data, uint256 p) private pure returns (uint256) {
        return uint16(bytes2(data[p:p + 2]));
    }

    // ------------------------------------------------------------------ validation

    /// @dev Checks the whole encoding once; returns (input width, parameter count).
    function _validate(bytes memory model) private pure returns (uint256 width, uint256 params) {
        if (model.length < HEADER || uint8(model[0]) != VERSION) revert MalformedModel(0);
        uint256 layers = uint8(model[1]);
        width = _mu16(model, 2);
        if (layers == 0 || width == 0) revert MalformedModel(1);
        uint256 inW = width;
        uint256 inMax = INPUT_MAX;
        uint256 p = HEADER;
        for (uint256 l = 0; l < layers; ++l) {
            if (p + LAYER_HEADER > model.length) revert MalformedModel(p);
            uint256 outW = _mu16(model, p);
            uint256 shift = uint8(model[p + 2]);
            int256 clip = int32(uint32(_mu32(model, p + 3)));
            bool last = l == layers - 1;
            if (outW == 0 || shift > MAX_SHIFT || (last ? clip != -1 || shift != 0 : clip < 0)) {
                revert MalformedModel(p);
            }
            if (last && outW > MAX_CLASSES) revert MalformedModel(p);
            p += LAYER_HEADER;
            uint256 end = p + 4 * outW + outW * inW;
            if (end > model.length) revert MalformedModel(p);
            _checkBound(model, p, p + 4 * outW, outW, inW, inMax, l);
            params += outW * inW + outW;
            p = end;
            inW = outW;
            if (!last) inMax = uint256(clip);
        }
        if (p != model.length) revert MalformedModel(p);
    }

    /// @dev Every neuron: sum_i |w| * inMax + |bias| <= INT32_MAX (int_mlp_reference.worst_case_bound).
    function _checkBound(
        bytes memory model,
        uint256 biases,
        uint256 weights,
        uint256 outW,
        uint256 inW,
        uint256 inMax,
        uint256 layer
    ) private pure {
        for (uint256 j = 0; j < outW; ++j) {
            int256 b = int32(uint32(_mu32(model, biases + 4 * j)));
            uint256 absSum = 0;
            uint256 row = weights + j * inW;
            for (uint256 i = 0; i < inW; ++i) {
                int256 w = int8(uint8(model[row + i]));
                absSum += uint256(w < 0 ? -w : w);
            }
            if (absSum * inMax + uint256(b < 0 ? -b : b) > INT32_MAX) {
                revert Int32OverflowPossible(layer, j);
            }
        }
    }

    function _mu16(bytes memory data, uint256 p) private pure returns (uint256) {
        return (uint256(uint8(data[p])) << 8) | uint8(data[p + 1]);
    }

    function _mu32(bytes memory data, uint256 p) private pure returns (uint32) {
        return uint32((_mu16(data, p) << 16) | _mu16(data, p + 2));
    }
}
