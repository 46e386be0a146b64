"""Integration tests of the contracts and avs.chain against a real anvil."""
