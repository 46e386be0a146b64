"""One task as a developer sees it: status, certificate, and the certified labels.

The chain stores only ``keccak256(resultBytes)``, which is also the content hash under which
the aggregator publishes the certified bytes, so the labels come from the aggregator's copy,
checked against the chain by hash. An aggregator that does not publish them is worked around
by running the task locally (model and inputs fetched by hash and checked); that result
counts only if it hashes to the certified digest, and when it does not (a non-exact type on
different hardware) the view says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from avs.chain.reader import ChainReader
from avs.chain.views import CertifiedTask, TaskStatus
from avs.cli.targets import aggregator_tls
from avs.cli.task_delivery import delivery_lines, delivery_view
from avs.crypto.keccak import keccak256
from avs.errors import AvsError
from avs.models.fetchers import AGGREGATOR_SCHEME, hash_from_aggregator_uri
from avs.models.hashing import ContentHash, hash_hex
from avs.protocol import Task
from avs.rpc.blob_client import BlobClient
from avs.tasks.registry import load_registry

MAX_BLOB_BYTES = 256 * 1024 * 1024
MAX_RESULT_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Labels:
    """The certified result, decoded, or why it could not be."""

    values: list[int | None] | None
    """Per-input labels (None = the operators abstained), if recovered."""
    note: str
    """How they were recovered, or why not."""


def task_view(reader: ChainReader, task: Task, aggregator: str | None) -> dict[str, Any]:
    """A JSON-ready description of ``task``; with ``aggregator``, the certified labels too."""
    status = reader.task_status(task)
    head = reader.client.block_number()
    certified = reader.certification(task.task_index, task)
    state = status.value
    if status is TaskStatus.PENDING and head > task.deadline_block:
        state = "expired"
    view: dict[str, Any] = {
        "task_index": task.task_index,
        "status": state,
        "model_id": hash_hex(task.model_id),
        "input_count": task.input_count,
        "inputs_uri": task.inputs_uri,
        "threshold_bps": task.threshold_bps,
        "quorums": list(task.quorum_numbers),
        "created_block": task.created_block,
        "deadline_block": task.deadline_block,
        "fee_wei": task.fee,
        "client": task.client,
    }
    delivery = delivery_view(reader, task)
    if delivery is not None:
        view["delivery"] = delivery
    if certified is not None:
        view["certificate"] = _certificate(reader, task, certified)
        if aggregator is not None:
            labels = certified_labels(reader, task, certified, aggregator)
            view["labels"] = labels.values
            view["labels_note"] = labels.note
    return view


def _certificate(reader: ChainReader, task: Task, cert: CertifiedTask) -> dict[str, Any]:
    state = reader.operator_state(list(task.quorum_numbers), cert.reference_block)
    missing = set(cert.non_signer_ids)
    signers = sorted(op_id for op_id in state.operators if op_id not in missing)
    return {
        "block": cert.block_number,
        "tx_hash": hash_hex(cert.tx_hash),
        "result_digest": hash_hex(cert.result_digest),
        "signers": [hash_hex(s) for s in signers],
        "non_signers": [hash_hex(n) for n in cert.non_signer_ids],
        "signed_stake_bps": [
            (signed * 10_000) // total if total else 0
            for signed, total in zip(cert.signed_stake, cert.total_stake, strict=True)
        ],
    }


def certified_labels(
    reader: ChainReader, task: Task, cert: CertifiedTask, aggregator: str
) -> Labels:
    """The certified labels: the aggregator's copy of the result bytes, checked by hash
    against the chain; failing that, a local re-run whose bytes hash to the certified digest."""
    try:
        task_type = load_registry().get(reader.model(task.model_id).task_type)
    except AvsError as exc:
        return Labels(None, f"cannot decode the result: {exc}")
    with BlobClient(aggregator, tls=aggregator_tls(aggregator)) as blobs:
        try:
            result = blobs.get(ContentHash(cert.result_digest), MAX_RESULT_BYTES)
        except AvsError:
            return _rerun_locally(reader, task, cert, blobs)
    if len(result) != task.input_count:
        return Labels(
            None, f"the certified result has {len(result)} entries, not {task.input_count}"
        )
    return Labels(task_type.decode_result(result), "certified result; its hash is the one on chain")


def _rerun_locally(
    reader: ChainReader, task: Task, cert: CertifiedTask, blobs: BlobClient
) -> Labels:
    """For an aggregator that does not publish results: run the task here, compare digests."""
    try:
        model = reader.model(task.model_id)
        task_type = load_registry().get(model.task_type)
        model_bytes = blobs.get(ContentHash(model.content_hash), MAX_BLOB_BYTES)
        if not task.inputs_uri.startswith(f"{AGGREGATOR_SCHEME}://"):
            return Labels(None, f"inputs at {task.inputs_uri} are not in the aggregator")
        inputs = blobs.get(hash_from_aggregator_uri(task.inputs_uri), MAX_BLOB_BYTES)
        result = task_type.execute(task_type.load_model(model_bytes), inputs)
    except AvsError as exc:
        return Labels(None, f"could not re-run the task locally: {exc}")
    if keccak256(result) != cert.result_digest:
        return Labels(
            None,
            "this machine computes a different result than the certified one "
            f"({task_type.id} is {'exact' if task_type.exact else 'not exact'}); "
            "labels unknown",
        )
    return Labels(task_type.decode_result(result), "re-run locally; matches the certified digest")


def format_view(view: dict[str, Any]) -> list[str]:
    """Human-readable lines for ``view``."""
    lines = [
        f"task {view['task_index']}: {view['status']}  model {view['model_id']}  "
        f"{view['input_count']} inputs  fee {view['fee_wei']} wei",
        f"  blocks {view['created_block']}..{view['deadline_block']}  threshold "
        f"{view['threshold_bps'] / 100:.2f}%  quorums {view['quorums']}",
    ]
    lines += delivery_lines(view)
    cert = view.get("certificate")
    if cert is not None:
        lines.append(
            f"  certified in block {cert['block']}  tx {cert['tx_hash']}  "
            f"{len(cert['signers'])} signers, {len(cert['non_signers'])} non-signers, "
            f"signed stake {[f'{b / 100:.2f}%' for b in cert['signed_stake_bps']]}"
        )
        lines.append(f"  result digest {cert['result_digest']}")
    if "labels" in view:
        labels = view["labels"]
        if labels is None:
            lines.append(f"  labels: {view['labels_note']}")
        else:
            shown = " ".join("-" if v is None else str(v) for v in labels)
            lines.append(f"  labels ({view['labels_note']}): {shown}")
    return lines
