"""DEVNET FAULT INJECTION: make an operator sign wrong results on purpose.

Only for demonstrating slashing on a devnet (``devnet_fault: wrong_label`` in the config).
A node with a fault configured logs a warning at start and on every faulty signature, and
refuses to start unless the chain is a devnet (:func:`require_devnet`): a fault left in a
production config, or set through ``AVS_DEVNET_FAULT``, would get the operator slashed.
"""

from __future__ import annotations

from eth_account import Account

from avs.chain.anvil import DEV_PRIVATE_KEYS
from avs.chain.client import ChainClient
from avs.chain.deployment import Deployment
from avs.errors import ChainError, ConfigError
from avs.protocol import ABSTAIN

DEVNET_CHAIN_ID = 31337

WRONG_LABEL = "wrong_label"
FAULTS = ("", WRONG_LABEL)


def inject_fault(fault: str, result: bytes) -> bytes:
    """``result`` altered as ``fault`` demands (unchanged when ``fault`` is empty).

    ``wrong_label`` moves every non-abstain label to ``(label + 1) % 10``: deterministic, so a
    faulty node equivocates only if its fault setting changes between signatures.
    """
    if not fault:
        return result
    if fault == WRONG_LABEL:
        return bytes(b if b == ABSTAIN else (b + 1) % 10 for b in result)
    raise ValueError(f"unknown devnet fault {fault!r}; known: {', '.join(FAULTS[1:])}")


def is_devnet(chain_id: int, deployment: Deployment) -> bool:
    """Chain id 31337 and a deployment made by one of anvil's public development accounts."""
    dev_accounts = {Account.from_key(key).address.lower() for key in DEV_PRIVATE_KEYS}
    return (
        chain_id == DEVNET_CHAIN_ID
        and deployment.chain_id == DEVNET_CHAIN_ID
        and deployment.deployer.lower() in dev_accounts
    )


def require_devnet(fault: str, rpc_url: str, deployment: Deployment) -> None:
    """Refuse ``fault`` unless ``rpc_url`` serves a devnet and the deployment is a devnet's."""
    if not fault:
        return
    try:
        chain_id = ChainClient.connect(rpc_url).chain_id
    except ChainError as exc:  # unreachable: fail closed, a fault is never the default
        raise ConfigError(
            f"devnet_fault {fault!r} is set but the chain cannot be checked ({exc}); "
            "it is allowed only on a reachable devnet"
        ) from None
    if not is_devnet(chain_id, deployment):
        raise ConfigError(
            f"devnet_fault {fault!r} (or AVS_DEVNET_FAULT) is set but this is not a devnet "
            f"(the node serves chain {chain_id}; the deployment is on chain {deployment.chain_id}, "
            f"deployed by {deployment.deployer}); it makes the node sign "
            "wrong results and get slashed: remove it"
        )
