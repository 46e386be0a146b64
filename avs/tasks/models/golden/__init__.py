"""Golden vectors (inputs + expected canonical results) per shipped model (data only)."""
