"""Pinned session options and provider fallback."""

from __future__ import annotations

import pytest

from avs.errors import ModelError, TaskError
from avs.tasks import ExecutionConfig
from avs.tasks.demo import model_bytes
from avs.tasks.int_mlp import IntMlp
from avs.tasks.session import CPU_PROVIDER, resolve_providers


def test_unavailable_provider_falls_back_to_cpu() -> None:
    assert resolve_providers(("NoSuchExecutionProvider",)) == [CPU_PROVIDER]
    assert resolve_providers(()) == [CPU_PROVIDER]


def test_loaded_model_reports_what_it_runs_on() -> None:
    config = ExecutionConfig(providers=("NoSuchExecutionProvider",), intra_op_num_threads=2)
    model = IntMlp().load_model(model_bytes("digits_int_mlp.onnx"), config)
    assert model.providers == (CPU_PROVIDER,)
    assert model.input_width == 64
    assert model.config.intra_op_num_threads == 2


def test_thread_count_must_be_positive() -> None:
    with pytest.raises(TaskError, match="intra_op_num_threads must be >= 1"):
        ExecutionConfig(intra_op_num_threads=0)


def test_garbage_model_is_a_model_error() -> None:
    with pytest.raises(ModelError, match="cannot load the model"):
        IntMlp().load_model(b"\x00garbage")


def test_model_of_the_wrong_task_type_is_refused() -> None:
    with pytest.raises(TaskError, match="int-mlp models take a uint8 input"):
        IntMlp().load_model(model_bytes("digits_mlp.onnx"))
