"""Deploy the system to any RPC endpoint: the stand-in restaking core (devnets) or an existing
EigenLayer core (``core``), then the middleware and the AVS contracts on top of it.

The middleware is wired in EigenLayer's order: metadata URI, registrar, appointees (the
registry may create operator sets and deregister operators for the AVS), then quorums.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from eth_utils.abi import function_signature_to_4byte_selector

from avs.chain.client import ChainClient, Contract
from avs.chain.compiled import load_artifact
from avs.chain.deployment import CORE_CONTRACTS, Deployment, DeployParams
from avs.errors import ConfigError
from avs.logging import get_logger

TOKEN_NAME = "Edge AVS Devnet Stake"  # noqa: S105 - a token name, not a secret
TOKEN_SYMBOL = "EDGE"  # noqa: S105

CREATE_OPERATOR_SETS = "createOperatorSets(address,(uint32,address[],address)[])"
DEREGISTER_FROM_OPERATOR_SETS = "deregisterFromOperatorSets((address,address,uint32[]))"
REGISTRY_APPOINTMENTS = (CREATE_OPERATOR_SETS, DEREGISTER_FROM_OPERATOR_SETS)
"""AllocationManager functions the registry calls for the AVS (through the PermissionController)."""


def selector(signature: str) -> bytes:
    """The 4-byte function selector of ``signature``."""
    return bytes(function_signature_to_4byte_selector(signature))


class _Deployer:
    def __init__(self, client: ChainClient) -> None:
        self.client = client
        self.log = get_logger(component="deploy")  # bound per call: honours the log config

    def __call__(self, name: str, *args: object) -> Contract:
        contract = self.client.deploy(load_artifact(name), *args)
        self.log.info("contract_deployed", contract=name, address=contract.address)
        return contract


def deploy_core(client: ChainClient, params: DeployParams) -> dict[str, str]:
    """Deploy the stand-in restaking core (EigenLayer's interfaces) and a devnet token."""
    deploy, me = _Deployer(client), client.address
    token = deploy("DevnetToken", TOKEN_NAME, TOKEN_SYMBOL, me)
    permissions = deploy("PermissionController")
    delegation = deploy(
        "DelegationManager", params.withdrawal_delay_blocks, permissions.address, me
    )
    strategies = deploy("StrategyManager", delegation.address, me)
    allocations = deploy(
        "AllocationManager",
        delegation.address,
        permissions.address,
        params.deallocation_delay_blocks,
        params.allocation_configuration_delay_blocks,
    )
    client.transact(delegation, "setDependencies", strategies.address, allocations.address)
    strategy = deploy("StrategyBase", strategies.address, token.address)
    client.transact(strategies, "addStrategiesToDepositWhitelist", [strategy.address])
    return {
        c.name: c.address
        for c in (token, permissions, delegation, strategies, allocations, strategy)
    }


def core_delays(client: ChainClient, core: Mapping[str, str]) -> tuple[int, int]:
    """(withdrawal delay, deallocation delay) in blocks, as the core contracts report them."""
    delegation = Contract("DelegationManager", core["DelegationManager"],
                          load_artifact("DelegationManager").abi)  # fmt: skip
    allocations = Contract("AllocationManager", core["AllocationManager"],
                           load_artifact("AllocationManager").abi)  # fmt: skip
    withdrawal = int(client.call1(delegation, "minWithdrawalDelayBlocks"))
    deallocation = int(client.call1(allocations, "DEALLOCATION_DELAY"))
    return withdrawal, deallocation


def deploy_system(
    client: ChainClient,
    params: DeployParams | None = None,
    core: Mapping[str, str] | None = None,
) -> Deployment:
    """Deploy and wire every contract; the client's account owns all it deploys.

    ``core`` names existing core contracts (every name in CORE_CONTRACTS): only the middleware
    and AVS contracts are deployed, and the core's own delays are checked against the windows.
    """
    params = params or DeployParams()
    start = client.block_number() + 1
    if core is None:
        params.validate()
        contracts = deploy_core(client, params)
    else:
        missing = [name for name in CORE_CONTRACTS if name not in core]
        if missing:
            raise ConfigError(
                f"core contracts missing: {missing}; give every one of {CORE_CONTRACTS}"
            )
        withdrawal, deallocation = core_delays(client, core)
        params = replace(
            params, withdrawal_delay_blocks=withdrawal, deallocation_delay_blocks=deallocation
        )
        params.validate()
        contracts = dict(core)
    contracts.update(deploy_middleware(client, contracts, params))
    return Deployment(
        chain_id=client.chain_id,
        block=start,
        deployer=client.address,
        contracts=contracts,
        quorum_numbers=tuple(range(params.quorum_count)),
        params=params,
    )


def deploy_middleware(
    client: ChainClient, core: Mapping[str, str], params: DeployParams
) -> dict[str, str]:
    """Deploy the service manager, registry, model/task/slashing managers and the state
    retriever against ``core``, in EigenLayer's order."""
    deploy, me = _Deployer(client), client.address
    allocations = core["AllocationManager"]
    service = deploy("ServiceManager", allocations, core["PermissionController"], me)
    registry = deploy("OperatorRegistry", allocations, service.address, me)
    client.transact(service, "updateAVSMetadataURI", params.metadata_uri)
    client.transact(service, "setAVSRegistrar", registry.address)
    for signature in REGISTRY_APPOINTMENTS:
        client.transact(service, "setAppointee", registry.address, allocations, selector(signature))
    client.transact(registry, "setEjector", me)
    lookahead = params.max_response_window_blocks + params.challenge_window_blocks
    client.transact(registry, "setSlashableStakeLookahead", lookahead)
    for _ in range(params.quorum_count):
        client.transact(registry, "createQuorum", core["StrategyBase"], params.minimum_stake)

    models = deploy("ModelRegistry", me)
    for task_type, exact in params.task_types:
        client.transact(models, "registerTaskType", task_type, exact)
    tasks = deploy(
        "TaskManager",
        registry.address,
        models.address,
        params.max_response_window_blocks,
        params.min_threshold_bps,
        params.max_inputs_per_task,
        params.challenge_window_blocks,
        params.challenge_reward_wei,
    )
    slashing = deploy(
        "SlashingManager",
        tasks.address,
        registry.address,
        service.address,
        models.address,
        params.challenge_window_blocks,
        params.equivocation_slash_wad,
        params.wrong_result_slash_wad,
        me,
    )
    client.transact(service, "setSlasher", slashing.address)
    client.transact(tasks, "setSlashingManager", slashing.address)
    if params.challenge_reward_pool_wei:
        client.transact(tasks, "fundChallengeRewards", value=params.challenge_reward_pool_wei)
    retriever = deploy("OperatorStateRetriever")
    return {c.name: c.address for c in (service, registry, models, tasks, slashing, retriever)}
