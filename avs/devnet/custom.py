"""The devnet on a developer's own task type: their model, their inputs, no digits.

``avs devnet up --task-type ID --model FILE --inputs FILE`` registers the task type (if
the deployment does not know it yet) and the model, as the AVS owner would with
``avs task-types register`` and ``avs models register``, then every task carries the
whole inputs file as its batch. There are no true labels, so the summary's accuracy is
"n/a"; the certified digest is still checked against the locally computed result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from avs.chain.catalog import task_type_status
from avs.chain.devkit import ZERO_ADDRESS
from avs.chain.reader import ChainReader
from avs.chain.verifiers import deploy_verifier_for
from avs.chain.writer import ChainWriter
from avs.devnet.workload import FEE_PER_INPUT, DevnetModel, PreparedTask
from avs.errors import InputError
from avs.models.fetchers import aggregator_uri
from avs.models.hashing import ContentHash
from avs.models.store import BlobStore
from avs.protocol import inputs_root
from avs.tasks.input_files import load_input_blob
from avs.tasks.registry import get_task_type


@dataclass(frozen=True, slots=True)
class CustomWorkload:
    """A developer's task type, model file and inputs file."""

    task_type: str
    model_file: Path
    inputs_file: Path

    def check(self) -> None:
        """Fail early (before anything starts) on a missing file or an uninstalled type."""
        get_task_type(self.task_type)
        for flag, path in (("--model", self.model_file), ("--inputs", self.inputs_file)):
            if not path.is_file():
                raise InputError(f"{flag} {path} is not a file")


def register_custom_model(
    owner: ChainWriter, reader: ChainReader, blobs: BlobStore, workload: CustomWorkload
) -> tuple[DevnetModel, bytes]:
    """Register the type (if needed) and the model; returns the model and the input blob."""
    task_type = get_task_type(workload.task_type)
    try:
        data = workload.model_file.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read --model {workload.model_file}: {exc}") from None
    loaded = task_type.load_model(data)
    inputs = load_input_blob(workload.inputs_file, task_type)
    task_type.execute(loaded, inputs)  # inputs that do not fit the model fail here, not later
    if not task_type_status(reader, task_type.id).registered:
        owner.register_task_type(task_type.id, task_type.exact)
    digest = blobs.put(data)
    verifier = ZERO_ADDRESS
    if task_type.exact:
        verifier = deploy_verifier_for(owner.client, task_type.id, data)
    owner.register_model(
        digest, digest, task_type.id, aggregator_uri(digest), FEE_PER_INPUT, verifier
    )
    return DevnetModel(digest, task_type, loaded), inputs


def prepare_custom(model: DevnetModel, inputs: bytes, blobs: BlobStore) -> PreparedTask:
    """One task over the whole inputs batch, stored for the operators to fetch."""
    leaves = model.task_type.decode_inputs(inputs).leaves
    digest: ContentHash = blobs.put(inputs)
    return PreparedTask(
        model=model,
        blob_uri=aggregator_uri(digest),
        inputs_root=inputs_root(leaves),
        input_count=len(leaves),
        true_labels=(),
        expected_result=model.task_type.execute(model.loaded, inputs),
    )
