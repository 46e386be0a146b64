// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Staking token for devnets and tests; the owner mints freely. Never deploy on mainnet.
contract DevnetToken is ERC20, Ownable {
    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param owner_ The only minter.
    constructor(string memory name_, string memory symbol_, address owner_)
        ERC20(name_, symbol_)
        Ownable(owner_)
    {}

    /// @notice Mint `amount` tokens to `to` (owner only).
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
