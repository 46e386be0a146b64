"""edge-avs: a restaked AVS for verifiable edge-AI inference (shared core)."""

__version__ = "0.1.0"
