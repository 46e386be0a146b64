"""Operator node of edge-avs: task intake, inference, signing, submission."""
