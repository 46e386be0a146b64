"""Quorum certificates against the real contracts: 1, 4, 16 and 64 operators, 0, 1 and
several non-signers, two overlapping quorums; and every way a certificate must fail."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from avs.chain.devkit import WAD, DevSystem, OnboardedOperator
from avs.chain.nonces import key_lock
from avs.crypto.bls import aggregate_g1
from avs.crypto.points import G1_GENERATOR
from avs.errors import ContractRevert
from avs.protocol import QuorumCertificate, Task, inputs_root, message_hash, result_digest

from .systems import cert_quorums, cert_stake

pytestmark = pytest.mark.integration

RESULT = b"\x01\x02\x03"
THRESHOLD = 6_667


@pytest.fixture(scope="module")
def model(cert_system: DevSystem) -> bytes:
    """A model on cert_system."""
    return cert_system.register_model("onnx-classify", fee_per_input=10**9)


def members(quorum: int) -> list[int]:
    """Operator indices in ``quorum``."""
    return [i for i in range(64) if quorum in cert_quorums(i)]


def expected_stake(i: int, quorum: int) -> int:
    """Allocated stake: shares x (1e18 / quorums joined) / 1e18, as the contracts compute."""
    qs = cert_quorums(i)
    return cert_stake(i) * (WAD // len(qs)) // WAD if quorum in qs else 0


def pick(indices: list[int], k: int) -> list[int]:
    """k indices spread over ``indices``."""
    if k == 0:
        return []
    step = max(1, len(indices) // k)
    return sorted({indices[(1 + j * step) % len(indices)] for j in range(k)})


def certify_case(
    system: DevSystem, task: Task, non_signer_idx: list[int]
) -> tuple[QuorumCertificate, list[OnboardedOperator]]:
    everyone = sorted({i for q in task.quorums for i in members(q)})
    signers = [system.operators[i] for i in everyone if i not in non_signer_idx]
    sigs = system.sign(task, RESULT, signers)
    return system.reader.build_certificate(task, result_digest(RESULT), sigs), signers


@pytest.mark.parametrize(
    ("quorums", "non_signers"),
    [
        ([3], 0),
        ([2], 0),
        ([2], 1),
        ([2], 3),
        ([1], 0),
        ([1], 1),
        ([1], 5),
        ([0], 0),
        ([0], 1),
        ([0], 8),
        ([0], 40),
        ([0, 1], 0),
        ([0, 1], 1),
        ([0, 1], 6),
    ],
)
def test_certificate_stakes_and_threshold(
    cert_system: DevSystem, model: bytes, quorums: list[int], non_signers: int
) -> None:
    system = cert_system
    task = system.create_task(model, quorums, threshold_bps=THRESHOLD)
    everyone = sorted({i for q in quorums for i in members(q)})
    # in the two-quorum case, pick non-signers among operators in both quorums first
    pool = (
        members(1) + [i for i in everyone if i not in members(1)] if quorums == [0, 1] else everyone
    )
    missing = pick(pool[: max(len(pool) // 2, 1)] if quorums == [0, 1] else pool, non_signers)
    cert, _ = certify_case(system, task, missing)
    assert set(cert.non_signer_ids) == {system.operators[i].operator_id for i in missing}

    msg = message_hash(system.reader.task_hash(task), RESULT)
    signed, total, record = system.reader.check_signatures(msg, quorums, task.created_block, cert)
    for n, q in enumerate(quorums):
        assert total[n] == sum(expected_stake(i, q) for i in members(q))
        assert signed[n] == total[n] - sum(expected_stake(i, q) for i in missing)

    if all(s * 10_000 >= t * THRESHOLD for s, t in zip(signed, total, strict=True)):
        system.owner.respond_to_task(task, cert)
        certified = system.reader.certification(task.task_index)
        assert certified is not None
        assert certified.non_signer_ids == tuple(sorted(cert.non_signer_ids))
        assert certified.signed_stake == signed
        assert certified.signatory_record_hash == record
        assert system.reader.is_certified(task)
    else:
        with pytest.raises(ContractRevert) as err:
            system.owner.respond_to_task(task, cert)
        assert err.value.error_name == "ThresholdNotMet"
        assert not system.reader.is_certified(task)


def test_operator_in_both_quorums_counts_in_each(cert_system: DevSystem, model: bytes) -> None:
    system = cert_system
    task = system.create_task(model, [0, 1])
    cert, _ = certify_case(system, task, [2])  # operator 2 is in quorums 0, 1 and 2
    msg = message_hash(system.reader.task_hash(task), RESULT)
    signed, total, _ = system.reader.check_signatures(msg, [0, 1], task.created_block, cert)
    assert total[0] - signed[0] == expected_stake(2, 0)
    assert total[1] - signed[1] == expected_stake(2, 1)


# ------------------------------------------------------------------ rejections


def reverts(system: DevSystem, task: Task, cert: QuorumCertificate) -> ContractRevert:
    with pytest.raises(ContractRevert) as err:
        system.owner.respond_to_task(task, cert)
    return err.value


def test_wrong_message_rejected(cert_system: DevSystem, model: bytes) -> None:
    task = cert_system.create_task(model, [1])
    cert, _ = certify_case(cert_system, task, [3])
    other = replace(cert, result_digest=result_digest(b"another result"))
    assert reverts(cert_system, task, other).error_name == "InvalidSignature"


def test_wrong_apk_rejected(cert_system: DevSystem, model: bytes) -> None:
    task = cert_system.create_task(model, [0, 1])
    cert, _ = certify_case(cert_system, task, [])
    bad = replace(
        cert, quorum_apks=(cert.quorum_apks[0], aggregate_g1([cert.quorum_apks[1], G1_GENERATOR]))
    )
    err = reverts(cert_system, task, bad)
    assert (err.error_name, err.error_args) == ("QuorumApkMismatch", (1,))


def test_unsorted_non_signers_rejected(cert_system: DevSystem, model: bytes) -> None:
    task = cert_system.create_task(model, [0])
    cert, _ = certify_case(cert_system, task, [5, 9])
    h = cert.hints
    swapped = replace(
        cert,
        non_signer_pubkeys=cert.non_signer_pubkeys[::-1],
        hints=replace(
            h,
            non_signer_quorum_bitmap_indices=h.non_signer_quorum_bitmap_indices[::-1],
            non_signer_stake_indices=tuple(ix[::-1] for ix in h.non_signer_stake_indices),
        ),
    )
    assert reverts(cert_system, task, swapped).error_name == "NonSignersNotSorted"


def test_stale_and_future_reference_blocks_rejected(cert_system: DevSystem, model: bytes) -> None:
    system = cert_system
    task = system.create_task(model, [2], window=5)
    cert, _ = certify_case(system, task, [])
    msg = message_hash(system.reader.task_hash(task), RESULT)
    head = system.client.block_number()
    with pytest.raises(ContractRevert) as err:
        system.reader.check_signatures(msg, [2], head + 5, cert)
    assert err.value.error_name == "ReferenceBlockNotInPast"

    system.mine(system.deployment.params.max_response_window_blocks + 1)
    with pytest.raises(ContractRevert) as err:
        system.reader.check_signatures(msg, [2], task.created_block, cert)
    assert err.value.error_name == "StaleReferenceBlock"
    assert reverts(system, task, cert).error_name == "TaskExpired"


def test_wrong_history_hint_rejected(cert_system: DevSystem, model: bytes) -> None:
    task = cert_system.create_task(model, [0])
    cert, _ = certify_case(cert_system, task, [])
    bad = replace(cert, hints=replace(cert.hints, total_stake_indices=(0,)))
    assert reverts(cert_system, task, bad).error_name == "InvalidHistoryIndex"


@pytest.mark.parametrize(
    "field", ["non_signer_quorum_bitmap_indices", "non_signer_stake_indices", "quorum_apk_indices"]
)
def test_history_hint_past_the_end_rejected(
    cert_system: DevSystem, model: bytes, field: str
) -> None:
    """A hint past a history's last entry reads an empty slot; it must revert, not count
    as a valid entry of value zero (which would hide a non-signer's bitmap or stake)."""
    task = cert_system.create_task(model, [1])
    cert, _ = certify_case(cert_system, task, [3])
    past = 1_000
    hints = cert.hints
    if field == "non_signer_stake_indices":
        hints = replace(hints, non_signer_stake_indices=((past,),))
    elif field == "non_signer_quorum_bitmap_indices":
        hints = replace(hints, non_signer_quorum_bitmap_indices=(past,))
    else:
        hints = replace(hints, quorum_apk_indices=(past,))
    bad = replace(cert, hints=hints)
    assert reverts(cert_system, task, bad).error_name == "InvalidHistoryIndex"


def test_signature_of_non_member_rejected(cert_system: DevSystem, model: bytes) -> None:
    """Quorum 3 holds only operator 0; operator 5 cannot sign in its place."""
    task = cert_system.create_task(model, [3])
    cert, _ = certify_case(cert_system, task, [])
    outsider = cert_system.operators[5]
    forged = replace(
        cert,
        sigma=cert_system.sign(task, RESULT, [outsider])[outsider.operator_id],
        apk_g2=outsider.keypair.pubkey_g2,
    )
    assert reverts(cert_system, task, forged).error_name == "InvalidSignature"


def test_certificate_sent_in_the_tasks_own_block_lands_in_the_next(
    cert_system: DevSystem, model: bytes
) -> None:
    # Regression: the gas estimate ran on the latest block, where the reference block is
    # not yet in the past, so a certificate could only be sent a block later (2 blocks).
    system = cert_system
    fee = system.reader.model(model).fee_per_input
    task, _ = system.owner.create_task(
        model, inputs_root([b"input-0"]), 1, "avs-blob://0x00", [2], 6_667, 10, fee
    )
    assert system.client.block_number() == task.created_block  # nothing mined since
    cert, _ = certify_case(system, task, [])
    receipt = system.owner.respond_to_task(task, cert)
    assert receipt.block_number == task.created_block + 1
    assert system.reader.certification(task.task_index) is not None


def test_gas_estimates_do_not_queue_behind_the_keys_other_sends(
    cert_system: DevSystem, model: bytes
) -> None:
    # Regression: the estimate ran under the key's nonce lock, so certificates of tasks
    # in one block estimated one after the other and missed the next block.
    system = cert_system
    task = system.create_task(model, [2])
    cert, _ = certify_case(system, task, [])
    system.owner.respond_to_task(task, cert)
    outcome: list[BaseException] = []

    def again() -> None:
        try:
            system.owner.respond_to_task(task, cert)  # reverts in the estimate: certified
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    lock = key_lock(system.client.url, system.owner.client.address)
    with lock:  # another thread of this key is between its nonce read and its send
        worker = threading.Thread(target=again, daemon=True)
        worker.start()
        worker.join(timeout=60)
    assert not worker.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], ContractRevert)
