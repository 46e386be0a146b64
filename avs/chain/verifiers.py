"""On-chain verifiers of exact task types: deploy one per model, read back what it committed."""

from __future__ import annotations

from avs.chain.client import ChainClient, Contract
from avs.chain.compiled import load_artifact
from avs.chain.subscriber import MAX_BLOCK_RANGE
from avs.crypto.keccak import keccak256
from avs.errors import ChainError, InputError

INT_MLP_VERIFIER = "IntMlpVerifier"


def deploy_int_mlp_verifier(client: ChainClient, encoding: bytes) -> str:
    """Deploy an IntMlpVerifier committed to the canonical int-mlp ``encoding``; its address.

    The constructor validates the encoding (a ContractRevert says why it was refused).
    """
    return client.deploy(load_artifact(INT_MLP_VERIFIER), encoding).address


def verifier(address: str) -> Contract:
    """A handle on the verifier at ``address``."""
    return Contract(INT_MLP_VERIFIER, address, load_artifact(INT_MLP_VERIFIER).abi)


def committed_model(client: ChainClient, address: str, from_block: int = 0) -> bytes:
    """The model bytes the verifier at ``address`` committed to, from its ModelCommitted event.

    Checked against ``modelCommitment()``, so a lying RPC cannot hand over other bytes.
    """
    contract = verifier(address)
    commitment = bytes(client.call1(contract, "modelCommitment"))
    event = contract.abi.event("ModelCommitted")
    head = client.block_number()
    lo = from_block
    while lo <= head:
        hi = min(head, lo + MAX_BLOCK_RANGE - 1)
        for log in client.get_logs([address], [event.topic0], lo, hi, topic1=commitment):
            model = bytes(event.decode(log.topics, log.data)["model"])
            if keccak256(model) == commitment:
                return model
        lo = hi + 1
    raise ChainError(
        f"verifier {address} published no ModelCommitted event after block {from_block}"
    )


def deploy_verifier_for(client: ChainClient, task_type: str, model: bytes) -> str:
    """Deploy the on-chain verifier a model of an exact ``task_type`` needs; its address.

    Only ``int-mlp`` ships one (its weights are read from the ONNX graph, which needs the
    ``onnx`` package); other exact types must bring their own verifier address.
    """
    if task_type != "int-mlp":
        raise InputError(
            f"task type {task_type!r} is exact: its models need an on-chain verifier; "
            "deploy one and pass its address"
        )
    from avs.tasks.int_mlp_weights import encoding_from_onnx

    try:
        encoding = encoding_from_onnx(model)
    except ImportError:
        raise InputError(
            "reading int-mlp weights needs the 'onnx' package; install it, or deploy an "
            "IntMlpVerifier yourself and pass its address"
        ) from None
    return deploy_int_mlp_verifier(client, encoding)
