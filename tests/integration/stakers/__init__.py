"""Integration tests of the stakers' view (avs operators)."""
