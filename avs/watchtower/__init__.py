"""The watchtower: re-executes certified results of exact task types and overturns wrong ones."""
