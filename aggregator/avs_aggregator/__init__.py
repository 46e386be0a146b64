"""Aggregator of edge-avs: collects signed responses, certifies, submits."""
