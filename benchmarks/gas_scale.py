"""Gas at the size of the largest EigenLayer AVSs: 200 operators in one quorum (issue 17).

Used by ``benchmarks/gas.py``; its deployment already holds 64 operators in quorum 2, this
module fills quorum 2 up to 200 and measures:

- ``register_200th``: registerForOperatorSets of the 200th operator of quorum 2 (first key
  registration: proof of possession, key storage, APK and stake histories).
- ``respond_200``: respondToTask with 200 operators and 0 / 10 / 20 / 50 non-signers, at the
  deployment's default threshold (every combination keeps more than 2/3 of the stake).
"""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from avs.chain.devkit import DEFAULT_GAS_FUNDING, WAD, DevSystem, OnboardedOperator, dev_secrets
from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair

SCALE_QUORUM = 2
SCALE_OPERATORS = 200
SCALE_NON_SIGNERS = (0, 10, 20, 50)
SCALE_RESULT = b"\x01" * 256
ROW_SEED = b"gas"
"""Seed of :func:`avs.chain.devkit.dev_secrets`; the same as gas.py's operators."""


def non_signers_of(members: list[OnboardedOperator], count: int) -> set[bytes]:
    """``count`` operators spread over the set (every 7th, wrapping), as gas.py picks them."""
    n = len(members)
    return {members[(1 + 7 * j) % n].operator_id for j in range(count)}


def signed_bps(system: DevSystem, quorum: int, skip: set[bytes]) -> int:
    """Share of ``quorum``'s recorded stake (basis points) held by operators not in ``skip``."""
    block = system.client.block_number()
    state = system.reader.operator_state([quorum], block)
    total = state.total_stakes[quorum]
    signed = sum(op.stakes[quorum] for op in state.members(quorum) if op.operator_id not in skip)
    return signed * 10_000 // total if total else 0


def fill_quorum(system: DevSystem, quorum: int, size: int) -> int:
    """Onboard operators into ``quorum`` alone until it has ``size`` members; the last one
    is onboarded step by step so its registration gas can be read. Returns that gas."""
    members = [op for op in system.operators if quorum in op.magnitudes]
    missing = size - len(members)
    if missing < 1:
        raise ValueError(f"quorum {quorum} already has {len(members)} >= {size} operators")
    system.add_operators(
        missing - 1, lambda _: [quorum], lambda i: (10 + i) * WAD, seed=ROW_SEED, bulk=True
    )
    index = len(system.operators)
    key, secret = dev_secrets(ROW_SEED, index)
    keypair = KeyPair.from_secret(secret)
    stake = (10 + index) * WAD
    owner = ChainWriter(system.client, system.deployment)
    account: LocalAccount = Account.from_key(key)
    owner.client.send_value(account.address, DEFAULT_GAS_FUNDING)
    owner.mint(account.address, stake)
    writer = ChainWriter(owner.client.with_account(key), system.deployment)
    writer.register_as_operator()
    writer.deposit(stake)
    writer.allocate({quorum: WAD})
    gas = writer.register_operator([quorum], keypair).gas_used
    system.operators.append(OnboardedOperator(account, keypair, writer, stake, {quorum: WAD}))
    return gas


def scale_rows(system: DevSystem, model: bytes, threshold_bps: int) -> dict[str, Any]:
    """The 200-operator rows (see the module docstring)."""
    register = fill_quorum(system, SCALE_QUORUM, SCALE_OPERATORS)
    members = [op for op in system.operators if SCALE_QUORUM in op.magnitudes]
    rows = []
    for count in SCALE_NON_SIGNERS:
        skip = non_signers_of(members, count)
        share = signed_bps(system, SCALE_QUORUM, skip)
        if share < threshold_bps:
            raise AssertionError(f"{count} non-signers leave {share} bps < {threshold_bps}")
        task = system.create_task(model, [SCALE_QUORUM], threshold_bps=threshold_bps)
        signers = [op for op in members if op.operator_id not in skip]
        _, receipt = system.certify(task, SCALE_RESULT, signers)
        rows.append(
            {"operators": len(members), "non_signers": count, "signed_bps": share,
             "gas": receipt.gas_used}
        )  # fmt: skip
    return {"register_200th": register, "respond_200": rows}
