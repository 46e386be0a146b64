"""The devnet's workload: batches of real digits images for the demo models.

The devnet plays the client: it registers the shipped models, stores each task's input
blob with the aggregator (operators fetch it by hash over GetBlob), creates the task on
chain, and computes the honest result locally, so it can check the certified digest and
score the certified labels against the true digits labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from avs.chain.devkit import ZERO_ADDRESS
from avs.chain.verifiers import deploy_verifier_for
from avs.chain.writer import ChainWriter
from avs.models.store import BlobStore
from avs.protocol import Task, inputs_root
from avs.tasks.api import LoadedModel, TaskType
from avs.tasks.demo import DemoModel, DigitsSamples, digits_test, model_bytes, models_for
from avs.tasks.registry import get_task_type

DEMO_TASK_TYPES = ("int-mlp", "onnx-classify")
FEE_PER_INPUT = 10**12
"""Wei per input charged by the devnet's models."""


@dataclass(frozen=True, slots=True)
class DevnetModel:
    """A registered demo model, ready to run locally."""

    model_id: bytes
    """ModelRegistry key (= keccak256 of the ONNX file)."""
    task_type: TaskType
    """Its task type."""
    loaded: LoadedModel
    """A local session to compute the honest result."""


@dataclass(frozen=True, slots=True)
class PreparedTask:
    """A task's inputs, ready to submit."""

    model: DevnetModel
    blob_uri: str
    inputs_root: bytes
    input_count: int
    true_labels: tuple[int, ...]
    expected_result: bytes
    """Result bytes an honest operator signs (computed locally)."""


def register_models(
    owner: ChainWriter, blobs: BlobStore, task_types: tuple[str, ...]
) -> list[DevnetModel]:
    """Register one shipped model per task type; its bytes go to the aggregator's store."""
    registered = []
    for type_id in task_types:
        demo: DemoModel = models_for(type_id)[0]
        data = model_bytes(demo.file)
        digest = blobs.put(data)
        verifier = ZERO_ADDRESS
        if get_task_type(type_id).exact:
            # exact models are re-executable on chain: commit their canonical weights
            verifier = deploy_verifier_for(owner.client, type_id, data)
        owner.register_model(digest, digest, type_id, _blob_uri(digest), FEE_PER_INPUT, verifier)
        task_type = get_task_type(type_id)
        registered.append(DevnetModel(digest, task_type, task_type.load_model(data)))
    return registered


def prepare_task(
    index: int,
    model: DevnetModel,
    batch: int,
    blobs: BlobStore,
    digits: DigitsSamples | None = None,
) -> PreparedTask:
    """Inputs of task ``index``: ``batch`` held-out digits, taken round-robin.

    Pass ``digits`` when preparing many tasks, so the shipped samples are read once.
    """
    digits = digits if digits is not None else digits_test()
    rows = np.arange(index * batch, (index + 1) * batch) % len(digits.labels)
    blob = model.task_type.encode_inputs(digits.features[rows])
    leaves = model.task_type.decode_inputs(blob).leaves
    digest = blobs.put(blob)
    return PreparedTask(
        model=model,
        blob_uri=_blob_uri(digest),
        inputs_root=inputs_root(leaves),
        input_count=len(leaves),
        true_labels=tuple(int(v) for v in digits.labels[rows]),
        expected_result=model.task_type.execute(model.loaded, blob),
    )


def submit_task(
    client: ChainWriter, prepared: PreparedTask, quorums: list[int], threshold_bps: int, window: int
) -> Task:
    """createTask for ``prepared``, paying the model's fee."""
    task, _receipt = client.create_task(
        prepared.model.model_id,
        prepared.inputs_root,
        prepared.input_count,
        prepared.blob_uri,
        quorums,
        threshold_bps,
        window,
        FEE_PER_INPUT * prepared.input_count,
    )
    return task


def _blob_uri(digest: bytes) -> str:
    return "avs-blob://0x" + digest.hex()
