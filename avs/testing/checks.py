"""The individual conformance checks; each returns a detail line or raises CheckFailed."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources

import numpy as np

from avs.errors import AvsError, TaskError
from avs.tasks.api import ABSTAIN, MAX_LABEL, GoldenVector, LoadedModel, TaskType
from avs.tasks.batch import DTYPES, HEADER_SIZE, MAGIC, encode_batch
from avs.tasks.onnx_graph import require_integer_graph
from avs.tasks.registry import TaskTypeRegistry
from avs.tasks.session import CPU_PROVIDER, ExecutionConfig, available_providers
from avs.testing.golden import GoldenNotPinned, verify_pinned_golden

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
THREAD_COUNTS = (1, 2, 4)
BATCH_SIZES = (1, 3, 7)
THREAD_TILE = 32


class CheckFailed(Exception):
    """A conformance check found a violation (the message says which)."""


class CheckSkipped(Exception):
    """A check does not apply on this machine or to this type (the message says why)."""


@dataclass
class Context:
    """What the checks share: the task type, the node's config and loaded sessions."""

    task: TaskType
    config: ExecutionConfig
    registry: TaskTypeRegistry | None
    _vectors: list[GoldenVector] | None = None
    _models: dict[tuple[bytes, ExecutionConfig], LoadedModel] = field(default_factory=dict)

    def model(self, vector: GoldenVector, config: ExecutionConfig | None = None) -> LoadedModel:
        """The vector's model loaded under ``config`` (default: the node's), cached."""
        config = config or self.config
        key = (vector.model, config)
        if key not in self._models:
            self._models[key] = self.task.load_model(vector.model, config)
        return self._models[key]

    def loaded_models(self) -> dict[tuple[bytes, ExecutionConfig], LoadedModel]:
        """Sessions opened so far, by (model bytes, config)."""
        return self._models

    def need_vectors(self) -> list[GoldenVector]:
        """The golden vectors (loaded once), or a failure: execution checks need them."""
        if self._vectors is None:
            try:
                self._vectors = list(self.task.golden_vectors())
            except AvsError as exc:
                raise CheckFailed(f"golden_vectors() failed: {exc}") from exc
        if not self._vectors:
            raise CheckFailed("no golden vectors; implement golden_vectors() on the task type")
        return self._vectors


def check_metadata(ctx: Context) -> str:
    """id, exact, verifier and input dtype are well formed."""
    task = ctx.task
    if not isinstance(task.id, str) or not ID_PATTERN.match(task.id):
        raise CheckFailed(f"id {task.id!r} must match {ID_PATTERN.pattern}")
    if not isinstance(task.exact, bool):
        raise CheckFailed("`exact` must be a bool")
    if task.verifier is not None and not isinstance(task.verifier, str):
        raise CheckFailed("`verifier` must be a contract name or None")
    if np.dtype(task.input_dtype) not in DTYPES.values():
        raise CheckFailed(f"input_dtype {task.input_dtype} is not uint8, float32 or int32")
    return f"id={task.id} exact={task.exact} verifier={task.verifier} dtype={task.input_dtype}"


def check_registered(ctx: Context) -> str:
    """The installed ``avs.task_types`` entry point resolves to this class."""
    if ctx.registry is None:
        raise CheckSkipped("no registry given (checking an uninstalled class)")
    if ctx.task.id not in ctx.registry:
        raise CheckFailed(
            f"{ctx.task.id} is not an installed 'avs.task_types' entry point; known: "
            f"{', '.join(ctx.registry.ids())}"
        )
    found = type(ctx.registry.get(ctx.task.id))
    if found is not type(ctx.task):
        raise CheckFailed(f"entry point {ctx.task.id} loads {found.__qualname__}, another class")
    return f"entry point avs.task_types:{ctx.task.id}"


def check_golden(ctx: Context) -> str:
    """Each golden vector's inputs give exactly its expected result bytes."""
    for vector in ctx.need_vectors():
        got = ctx.task.execute(ctx.model(vector), vector.inputs)
        if got != vector.result:
            bad = [i for i, (a, b) in enumerate(zip(got, vector.result, strict=False)) if a != b]
            raise CheckFailed(
                f"{vector.name}: result differs at inputs {bad[:8]} "
                f"(lengths {len(got)}/{len(vector.result)})"
            )
    vectors = ctx.need_vectors()
    count = sum(len(ctx.task.decode_inputs(v.inputs)) for v in vectors)
    return f"{len(vectors)} vector set(s), {count} inputs reproduced exactly"


def check_golden_pinned(ctx: Context) -> str:
    """The golden vectors replay a committed golden file whose hash the class pins."""
    try:
        return verify_pinned_golden(ctx.task, ctx.need_vectors())
    except GoldenNotPinned as exc:
        raise CheckFailed(str(exc)) from exc


def check_threads(ctx: Context) -> str:
    """Results do not depend on the intra-op thread count."""
    for vector in ctx.need_vectors():
        # Tiled to a batch big enough that onnxruntime really splits work across threads.
        rows = ctx.task.decode_inputs(vector.inputs).array
        blob = ctx.task.encode_inputs(np.tile(rows, (THREAD_TILE, 1)))
        for threads in THREAD_COUNTS:
            config = replace(ctx.config, intra_op_num_threads=threads)
            got = ctx.task.execute(ctx.model(vector, config), blob)
            if got != vector.result * THREAD_TILE:
                raise CheckFailed(f"{vector.name}: {threads} thread(s) give a different result")
    return f"identical with intra_op_num_threads in {THREAD_COUNTS} (inputs tiled x{THREAD_TILE})"


def check_batches(ctx: Context) -> str:
    """Running inputs in sub-batches gives the same per-input results as one batch."""
    task = ctx.task
    for vector in ctx.need_vectors():
        rows = task.decode_inputs(vector.inputs).array
        model = ctx.model(vector)
        for size in BATCH_SIZES:
            parts = [
                task.execute(model, task.encode_inputs(rows[i : i + size]))
                for i in range(0, len(rows), size)
            ]
            if b"".join(parts) != vector.result:
                raise CheckFailed(f"{vector.name}: batches of {size} give a different result")
    return f"identical in batches of {BATCH_SIZES} and whole"


def check_providers(ctx: Context) -> str:
    """Accelerated providers (when configured and present) agree with the CPU."""
    extra = [p for p in ctx.config.providers if p != CPU_PROVIDER and p in available_providers()]
    if not extra:
        raise CheckSkipped("only CPUExecutionProvider configured/available")
    cpu = replace(ctx.config, providers=(CPU_PROVIDER,))
    for vector in ctx.need_vectors():
        accel = ctx.task.execute(ctx.model(vector), vector.inputs)
        if accel != ctx.task.execute(ctx.model(vector, cpu), vector.inputs):
            raise CheckFailed(f"{vector.name}: {extra[0]} and CPU results differ")
    return f"{', '.join(extra)} agree with CPU"


def check_roundtrip(ctx: Context) -> str:
    """encode(decode(blob)) is the blob, and the leaves are its rows."""
    for vector in ctx.need_vectors():
        batch = ctx.task.decode_inputs(vector.inputs)
        if ctx.task.encode_inputs(batch.array) != vector.inputs:
            raise CheckFailed(f"{vector.name}: re-encoding the decoded inputs changes the bytes")
        if len(batch.leaves) != len(batch.array):
            raise CheckFailed(f"{vector.name}: {len(batch.leaves)} leaves for {len(batch)} inputs")
        decoded = ctx.task.decode_result(vector.result)
        if len(decoded) != len(batch):
            raise CheckFailed(f"{vector.name}: decode_result gives {len(decoded)} values")
        if any(v is not None and not 0 <= v <= MAX_LABEL for v in decoded):
            raise CheckFailed(f"{vector.name}: decode_result gives labels outside 0..{MAX_LABEL}")
        if ctx.task.exact and ABSTAIN in vector.result:
            raise CheckFailed(f"{vector.name}: an exact task type must never abstain")
    return "inputs and results round-trip"


def generic_malformed(valid: bytes, width: int) -> list[tuple[str, bytes]]:
    """Broken variants of a valid blob that every task type must reject."""
    cases = [("empty", b""), ("truncated", valid[:-1]), ("trailing_byte", valid + b"\x00")]
    if valid.startswith(MAGIC):
        header = bytearray(valid[:HEADER_SIZE])
        for name, offset, value in (("bad_magic", 0, b"XXXX"), ("bad_version", 4, b"\x09")):
            bad = bytearray(valid)
            bad[offset : offset + len(value)] = value
            cases.append((name, bytes(bad)))
        cases.append(("zero_count", bytes(header[:6]) + struct.pack(">II", 0, width)))
        cases.append(("unknown_dtype", bytes(header[:5]) + b"\x7f" + valid[6:]))
        huge = bytes(header[:6]) + struct.pack(">II", 0xFFFFFFFF, width) + valid[HEADER_SIZE:]
        cases.append(("huge_count", huge))
    return cases


def check_malformed(ctx: Context) -> str:
    """Malformed inputs raise TaskError with a message, never another exception or a result."""
    vector = ctx.need_vectors()[0]
    model = ctx.model(vector)
    task = ctx.task
    cases = generic_malformed(vector.inputs, model.input_width)
    # Built with the bare container encoder: the type's own encode_inputs runs its
    # check_inputs, which may (rightly) refuse the width before this case exists.
    wrong_width = np.zeros((2, model.input_width + 1), dtype=task.input_dtype)
    cases.append(("wrong_width", encode_batch(wrong_width, np.dtype(task.input_dtype))))
    cases.extend(task.malformed_inputs())
    for name, blob in cases:
        _expect_task_error(name, task, model, blob)
    return f"{len(cases)} malformed blobs rejected with TaskError"


def check_bad_model(ctx: Context) -> str:
    """A blob that is not an ONNX model is refused with an AvsError, not a crash."""
    try:
        ctx.task.load_model(b"this is not an onnx model", ctx.config)
    except AvsError as exc:
        if not str(exc):
            raise CheckFailed("the error for a corrupt model has no message") from exc
        return f"refused: {type(exc).__name__}"
    raise CheckFailed("a corrupt model was accepted")


def check_exact_claim(ctx: Context) -> str:
    """An exact type declares its op allow-list, its golden models keep to it, and it refuses
    a model that hides float math (Softmax) behind an integer input and label output."""
    task = ctx.task
    if not task.exact:
        raise CheckSkipped("not an exact task type")
    if not task.exact_ops or not task.exact_dtypes:
        raise CheckFailed("an exact task type must declare exact_ops and exact_dtypes")
    used: set[str] = set()
    for vector in ctx.need_vectors():
        try:
            facts = require_integer_graph(vector.model, task.exact_ops, task.exact_dtypes, task.id)
        except TaskError as exc:
            raise CheckFailed(f"{vector.name}: golden model breaks the allow-list: {exc}") from exc
        used.update(op for _domain, op in facts.ops)
    disguised = resources.files("avs.testing.models").joinpath("disguised_float.onnx")
    try:
        task.load_model(disguised.read_bytes(), ctx.config)
    except TaskError:
        return f"golden models use {', '.join(sorted(used))}; a disguised float model is refused"
    raise CheckFailed("a float model with a uint8 input and int64 label output was accepted")


def _expect_task_error(name: str, task: TaskType, model: LoadedModel, blob: bytes) -> None:
    try:
        task.execute(model, blob)
    except TaskError as exc:
        if len(str(exc)) < 10:
            raise CheckFailed(
                f"{name}: TaskError message {str(exc)!r} does not say what is wrong"
            ) from exc
        return
    except Exception as exc:
        raise CheckFailed(
            f"{name}: raised {type(exc).__name__} ({exc}) instead of TaskError"
        ) from exc
    raise CheckFailed(f"{name}: malformed input was accepted")


CHECKS: dict[str, Callable[[Context], str]] = {
    "metadata": check_metadata,
    "registered": check_registered,
    "golden_vectors": check_golden,
    "golden_pinned": check_golden_pinned,
    "determinism_threads": check_threads,
    "determinism_batches": check_batches,
    "determinism_providers": check_providers,
    "roundtrip": check_roundtrip,
    "malformed_inputs": check_malformed,
    "corrupt_model": check_bad_model,
    "exact_claim": check_exact_claim,
}
"""Every check, in the order it runs."""
