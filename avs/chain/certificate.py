"""Assemble a quorum certificate from signatures and the operator set (pure, no I/O).

apk = sum of the quorum APKs minus the non-signers' keys (per quorum) equals the sum of the
signers' pk1 once per quorum they are in, so sigma and apkG2 must count each signer once per
task quorum it belongs to (DESIGN.md section 3).
"""

from __future__ import annotations

from collections.abc import Mapping

from avs.chain.views import OperatorSetState
from avs.crypto.bls import aggregate_g1, aggregate_g2
from avs.crypto.points import G1Point
from avs.errors import ChainError
from avs.protocol import CertificateHints, QuorumCertificate


def non_signers(state: OperatorSetState, signers: set[bytes] | frozenset[bytes]) -> list[bytes]:
    """Operators of the state's quorums that are not in ``signers``, ascending by id."""
    return sorted(op_id for op_id in state.operators if op_id not in signers)


def assemble_certificate(
    task_index: int,
    result_digest: bytes,
    state: OperatorSetState,
    signatures: Mapping[bytes, G1Point],
    hints: CertificateHints,
) -> QuorumCertificate:
    """The certificate for ``signatures`` (operator id -> signature on the task's msgHash).

    Signatures of ids outside the state's quorums are ignored; ``hints`` must have been
    computed for exactly :func:`non_signers` of the remaining signers.
    """
    signer_ids = {op_id for op_id in signatures if op_id in state.operators}
    if not signer_ids:
        raise ChainError(f"task {task_index}: no signature from an operator of its quorums")
    sigmas: list[G1Point] = []
    keys_g2 = []
    for quorum in state.quorum_numbers:
        for op in state.members(quorum):
            if op.operator_id in signer_ids:
                sigmas.append(signatures[op.operator_id])
                keys_g2.append(op.pubkey_g2)
    missing = non_signers(state, signer_ids)
    return QuorumCertificate(
        task_index=task_index,
        result_digest=result_digest,
        non_signer_pubkeys=tuple(state.operators[op_id].pubkey_g1 for op_id in missing),
        quorum_apks=tuple(state.quorum_apk(q) for q in state.quorum_numbers),
        apk_g2=aggregate_g2(keys_g2),
        sigma=aggregate_g1(sigmas),
        hints=hints,
    )
