"""Shipped demo models, their pinned manifest, golden vectors and demo inputs (data only).

Rebuilt reproducibly by ``tools/build_demo_models.py``; do not edit by hand.
"""
