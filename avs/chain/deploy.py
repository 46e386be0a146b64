"""Deploy the whole system (restaking core, middleware, AVS) to any RPC endpoint."""

from __future__ import annotations

from avs.chain.client import ChainClient, Contract
from avs.chain.compiled import load_artifact
from avs.chain.deployment import Deployment, DeployParams
from avs.logging import get_logger

TOKEN_NAME = "Edge AVS Devnet Stake"  # noqa: S105 - a token name, not a secret
TOKEN_SYMBOL = "EDGE"  # noqa: S105


def deploy_system(client: ChainClient, params: DeployParams | None = None) -> Deployment:
    """Deploy and wire every contract; the client's account becomes owner of all of them."""
    params = params or DeployParams()
    params.validate()
    log = get_logger(component="deploy")  # bound per call: honours the current log config
    me = client.address
    start = client.block_number() + 1

    def deploy(name: str, *args: object) -> Contract:
        contract = client.deploy(load_artifact(name), *args)
        log.info("contract_deployed", contract=name, address=contract.address)
        return contract

    token = deploy("DevnetToken", TOKEN_NAME, TOKEN_SYMBOL, me)
    delegation = deploy("DelegationManager", params.withdrawal_delay_blocks, me)
    strategies = deploy("StrategyManager", delegation.address, me)
    allocations = deploy("AllocationManager", delegation.address, params.deallocation_delay_blocks)
    client.transact(delegation, "setDependencies", strategies.address, allocations.address)
    strategy = deploy("StrategyBase", strategies.address, token.address)
    client.transact(strategies, "addStrategiesToDepositWhitelist", [strategy.address])

    service = deploy("ServiceManager", allocations.address, me)
    registry = deploy("OperatorRegistry", allocations.address, service.address, me)
    client.transact(service, "setAVSRegistrar", registry.address)
    client.transact(registry, "setEjector", me)
    for _ in range(params.quorum_count):
        client.transact(registry, "createQuorum", strategy.address, params.minimum_stake)

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

    contracts = {
        c.name: c.address
        for c in (
            token,
            delegation,
            strategies,
            allocations,
            strategy,
            service,
            registry,
            models,
            tasks,
            slashing,
            retriever,
        )
    }
    return Deployment(
        chain_id=client.chain_id,
        block=start,
        deployer=me,
        contracts=contracts,
        quorum_numbers=tuple(range(params.quorum_count)),
        params=params,
    )
