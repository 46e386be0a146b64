"""EigenLayer-compatible BN254 BLS cryptography: curve points, signatures, key files.

This is the only package that imports ``py_ecc``; everything else uses the value types
and functions of :mod:`avs.crypto.bn254` and :mod:`avs.crypto.bls`, so the backend can
change without touching callers.
"""
