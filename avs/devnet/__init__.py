"""Local devnet: anvil, contracts, operators and an aggregator as real processes."""
