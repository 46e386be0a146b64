"""InferenceResults on a real EVM decodes certified result bytes exactly as the Python task
types encode them: one label byte per input, ABSTAIN (0xFF) only for onnx-classify."""

from __future__ import annotations

import pytest

from avs.chain.client import ChainClient, Contract
from avs.chain.compiled import load_artifact
from avs.errors import ContractRevert
from avs.tasks.api import ABSTAIN
from avs.tasks.registry import get_task_type

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def harness(deployer_client: ChainClient) -> Contract:
    return deployer_client.deploy(load_artifact("InferenceResultsHarness"))


def test_labels_decode_as_the_python_task_types_decode_them(
    deployer_client: ChainClient, harness: Contract
) -> None:
    c = deployer_client
    assert c.call1(harness, "layoutOf", "int-mlp") == 0
    assert c.call1(harness, "layoutOf", "onnx-classify") == 1
    result = bytes([3, ABSTAIN, 0, 254, 3])
    python = get_task_type("onnx-classify").decode_result(result)
    solidity = [c.call(harness, "labelAt", "onnx-classify", result, i) for i in range(5)]
    assert [None if abstained else label for label, abstained in solidity] == python
    assert c.call(harness, "counts", result, 3) == (2, 1, 3, 2)
    assert c.call(harness, "counts", result, ABSTAIN) == (0, 1, 3, 2)  # never a label
    assert c.call(harness, "counts", bytes([ABSTAIN] * 3), 0) == (0, 3, ABSTAIN, 0)
    # ties go to the lowest label, as argmax does
    assert c.call(harness, "counts", bytes([7, 2, 7, 2]), 9)[2:] == (2, 2)


def test_malformed_results_and_unknown_task_types_revert(
    deployer_client: ChainClient, harness: Contract
) -> None:
    def revert(*args: object) -> str:
        with pytest.raises(ContractRevert) as err:
            deployer_client.call(harness, *args)  # type: ignore[arg-type]
        return err.value.error_name

    assert revert("labelAt", "int-mlp", bytes([1, ABSTAIN]), 1) == "MalformedResult"
    assert revert("labelAt", "int-mlp", bytes([1]), 1) == "IndexOutOfRange"
    assert revert("layoutOf", "nope") == "UnknownTaskType"
