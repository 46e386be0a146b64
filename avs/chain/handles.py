"""Contract handles of one deployment, shared by the reader and the writer."""

from __future__ import annotations

from avs.chain.client import ChainClient, Contract
from avs.chain.deployment import Deployment


class DeploymentHandles:
    """A client plus a handle on every contract of a deployment the Python side calls."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        d = deployment
        self.registry = d.contract("OperatorRegistry")
        self.tasks = d.contract("TaskManager")
        self.slashing = d.contract("SlashingManager")
        self.models = d.contract("ModelRegistry")
        self.retriever = d.contract("OperatorStateRetriever")
        self.delegation = d.contract("DelegationManager")
        self.allocations = d.contract("AllocationManager")
        self.strategy_manager = d.contract("StrategyManager")
        self.token = d.contract("DevnetToken")
        self.event_contracts: dict[str, Contract] = {
            "TaskManager": self.tasks,
            "OperatorRegistry": self.registry,
            "SlashingManager": self.slashing,
        }
        """The contracts whose events :func:`avs.chain.events.decode_events` decodes."""
