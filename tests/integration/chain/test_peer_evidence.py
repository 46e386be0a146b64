"""Competing aggregators on real contracts: the one that never received a task's model,
inputs or certified result fetches them from its peer over TLS (``peer_aggregators``),
re-executes the real int-mlp model, and proves the faults it holds evidence of."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from eth_account import Account
from prometheus_client import CollectorRegistry

from avs.chain.events import FAULT_WRONG_RESULT
from avs.chain.verifiers import deploy_int_mlp_verifier
from avs.chain.views import TaskStatus
from avs.chain.writer import ChainWriter
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import content_hash
from avs.models.store import BlobStore
from avs.protocol import Task, inputs_root
from avs.tasks.batch import decode_batch
from avs.tasks.demo import golden_vectors
from avs.tasks.int_mlp import IntMlp
from avs.tasks.int_mlp_weights import encoding_from_onnx
from avs.watchtower.build import watchtower_over
from avs.watchtower.tower import Check, SignedResult
from avs_aggregator.app import peer_source

from .blob_peers import PeerTls, honest_peer, peer_config
from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def test_the_aggregator_without_the_blobs_fetches_them_from_its_peer_and_proves_faults(
    tmp_path: Path, small_system: SmallSystem
) -> None:
    dev = small_system.dev
    dev.owner.fund_challenge_rewards(10**16)
    golden = golden_vectors(IntMlp.id)[0]
    first = BlobStore(tmp_path / "first")  # the aggregator the client uploaded to
    model_id = b"\x0f" * 32
    dev.owner.register_model(
        model_id, content_hash(golden.model), IntMlp.id, aggregator_uri(first.put(golden.model)),
        10**9, deploy_int_mlp_verifier(dev.client, encoding_from_onnx(golden.model)),
    )  # fmt: skip
    leaves = decode_batch(golden.inputs, IntMlp.input_dtype).leaves

    def new_task() -> Task:
        task, _ = dev.owner.create_task(
            model_id, inputs_root(leaves), len(leaves), aggregator_uri(first.put(golden.inputs)),
            [0], 6_667, 10, 10**9 * len(leaves),
        )  # fmt: skip
        dev.mine()
        return task

    wrong = golden.result[:-1] + bytes([golden.result[-1] ^ 1])
    # Task A: op0's wrong response reached only the second aggregator.
    held = new_task()
    op0 = dev.operators[0]
    signer = dev.reader.operator_state(held.quorums, held.created_block).operators[op0.operator_id]
    response = SignedResult(signer, wrong, dev.sign(held, wrong, [op0])[op0.operator_id])
    # Task B: the first aggregator certified a wrong result (its bytes live there only).
    overturn = new_task()
    first.put(wrong)
    dev.certify(overturn, wrong, [dev.operators[1], dev.operators[2]])
    certified = dev.reader.certification(overturn.task_index, overturn)
    assert certified is not None

    challenger = Account.from_key(b"\x6e" * 32)
    dev.client.send_value(challenger.address, E18)
    writer = ChainWriter(dev.client.with_account(challenger.key), dev.deployment)
    tls = PeerTls.create(tmp_path / "ca")

    async def second_aggregator() -> tuple[int, Check, BlobStore]:
        async with honest_peer(tls, first) as peer:
            cfg = peer_config(tmp_path / "second", [peer], tls.ca_file)
            blobs = BlobStore(cfg.blob_dir)
            blobs.source = peer_source(cfg, blobs)
            tower = watchtower_over(dev.reader, writer, blobs, registry=CollectorRegistry())
            slashed = await asyncio.to_thread(tower.prove_wrong_results, held, [response])
            check = await asyncio.to_thread(tower.check_certificate, overturn, certified)
            return slashed, check, blobs

    slashed, check, blobs = asyncio.run(second_aggregator())
    assert slashed == 1
    assert dev.reader.is_slashed(held.task_index, op0.operator_id, FAULT_WRONG_RESULT)
    assert check is Check.OVERTURNED
    assert dev.reader.task_status(overturn) is TaskStatus.OVERTURNED
    for data in (golden.model, golden.inputs, wrong):
        assert blobs.holds_verified(content_hash(data))
