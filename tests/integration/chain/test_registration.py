"""BLS operator registration on real contracts: proof of possession, key uniqueness,
rogue keys, minimum stake, deregistration history and ejection."""

from __future__ import annotations

import pytest
from eth_account import Account

from avs.chain.devkit import WAD
from avs.chain.writer import ChainWriter
from avs.crypto.bls import KeyPair, registration_message_hash, sign_registration
from avs.crypto.bn254 import (
    g1_add,
    g1_from_evm,
    g1_mul,
    g1_neg,
    g1_to_evm,
    g2_add,
    g2_mul,
    g2_neg,
    g2_to_evm,
)
from avs.crypto.points import G1_GENERATOR, G2_GENERATOR, G1Point
from avs.errors import ContractRevert

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def staked_operator(
    system: SmallSystem, tag: int, stake: int, magnitudes: dict[int, int]
) -> ChainWriter:
    """A new funded operator with stake allocated but not yet in any quorum."""
    dev = system.dev
    account = Account.from_key(bytes([tag]) * 32)
    dev.client.send_value(account.address, E18)
    dev.owner.mint(account.address, stake)
    writer = ChainWriter(dev.client.with_account(account.key), dev.deployment)
    writer.register_as_operator()
    writer.deposit(stake)
    writer.allocate(magnitudes)
    return writer


def apk(system: SmallSystem, quorum: int) -> G1Point:
    registry = system.dev.deployment.contract("OperatorRegistry")
    return g1_from_evm(
        system.dev.client.call1(registry, "getCurrentApk", quorum), allow_infinity=True
    )


def revert(fn: object, *args: object, **kw: object) -> ContractRevert:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return err.value


def test_good_proof_of_possession_registers(small_system: SmallSystem) -> None:
    dev = small_system.dev
    kp = KeyPair.from_secret(0xC0FFEE)
    w = staked_operator(small_system, 0x21, 5 * E18, {0: WAD})
    apk_before, total_before = apk(small_system, 0), dev.reader.total_stake(0)
    receipt = w.register_operator([0], kp)
    events = dev.deployment.contract("OperatorRegistry").decode_logs(
        receipt.logs, "NewPubkeyRegistration"
    )
    assert [g1_from_evm(e["pubkeyG1"]) for e in events] == [kp.pubkey_g1]  # middleware's shape
    assert dev.reader.operator_id(w.address) == kp.operator_id
    assert dev.reader.pubkey_g1(w.address) == kp.pubkey_g1
    assert dev.reader.pubkeys_g2()[kp.operator_id] == kp.pubkey_g2
    assert apk(small_system, 0) == g1_add(apk_before, kp.pubkey_g1)
    assert dev.reader.total_stake(0) == total_before + 5 * E18
    assert dev.reader.quorum_bitmap(kp.operator_id) == 0b01


def test_registration_message_hash_matches_python(small_system: SmallSystem) -> None:
    dev = small_system.dev
    registry = dev.deployment.contract("OperatorRegistry")
    for operator in [op.address for op in dev.operators] + [dev.owner.address]:
        on_chain = g1_from_evm(
            dev.client.call1(registry, "pubkeyRegistrationMessageHash", operator)
        )
        assert on_chain == registration_message_hash(
            operator, registry.address, dev.deployment.chain_id
        )


def test_bad_proofs_of_possession_rejected(small_system: SmallSystem) -> None:
    dev = small_system.dev
    kp, other = KeyPair.from_secret(0xAAAA), KeyPair.from_secret(0xBBBB)
    w = staked_operator(small_system, 0x22, 5 * E18, {0: WAD})
    registry, chain = dev.deployment.contracts["OperatorRegistry"], dev.deployment.chain_id
    pk1, pk2 = g1_to_evm(kp.pubkey_g1), g2_to_evm(kp.pubkey_g2)
    wrong_secret = g1_to_evm(sign_registration(other, w.address, registry, chain))
    for_someone_else = g1_to_evm(sign_registration(kp, dev.operators[0].address, registry, chain))
    right_sigma = g1_to_evm(sign_registration(kp, w.address, registry, chain))
    for params in (
        (wrong_secret, pk1, pk2),
        (for_someone_else, pk1, pk2),
        (right_sigma, pk1, g2_to_evm(other.pubkey_g2)),  # pk2 of another secret
    ):
        assert revert(w.register_operator, [0], registration=params).error_name == (
            "InvalidRegistrationSignature"
        )
    assert dev.reader.operator_id(w.address) == bytes(32)


def test_reused_key_rejected(small_system: SmallSystem) -> None:
    victim = small_system.dev.operators[0]
    w = staked_operator(small_system, 0x23, 5 * E18, {0: WAD})
    # a valid proof for the new address, but of a key someone already registered
    err = revert(w.register_operator, [0], victim.keypair)
    assert err.error_name == "PubkeyAlreadyRegistered"
    assert err.error_args == (victim.operator_id, victim.address)


def test_second_key_rejected_same_key_accepted(small_system: SmallSystem) -> None:
    dev = small_system.dev
    first, second = KeyPair.from_secret(0x1111), KeyPair.from_secret(0x2222)
    w = staked_operator(small_system, 0x24, 6 * E18, {0: WAD // 2, 1: WAD // 2})
    w.register_operator([0], first)
    err = revert(w.register_operator, [1], second)
    assert (err.error_name, err.error_args) == ("OperatorAlreadyHasKey", (first.operator_id,))
    w.register_operator([1], first)  # repeating the registered key is fine
    assert dev.reader.quorum_bitmap(first.operator_id) == 0b11


def test_rogue_key_rejected(small_system: SmallSystem) -> None:
    """pk = sk_a*g - pk_victim would let sk_a alone sign for 'victim + rogue'; the PoP stops it."""
    victim = small_system.dev.operators[0].keypair
    dev = small_system.dev
    w = staked_operator(small_system, 0x25, 5 * E18, {0: WAD})
    sk_a = 0x5EC12E7
    rogue_g1 = g1_add(g1_mul(G1_GENERATOR, sk_a), g1_neg(victim.pubkey_g1))
    rogue_g2 = g2_add(g2_mul(G2_GENERATOR, sk_a), g2_neg(victim.pubkey_g2))
    attacker = KeyPair.from_secret(sk_a)
    sigma = sign_registration(
        attacker, w.address, dev.deployment.contracts["OperatorRegistry"], dev.deployment.chain_id
    )
    params = (g1_to_evm(sigma), g1_to_evm(rogue_g1), g2_to_evm(rogue_g2))
    assert revert(w.register_operator, [0], registration=params).error_name == (
        "InvalidRegistrationSignature"
    )


def test_minimum_stake_enforced(small_system: SmallSystem) -> None:
    w = staked_operator(small_system, 0x26, E18 // 2, {0: WAD})
    err = revert(w.register_operator, [0], KeyPair.from_secret(0x3333))
    assert (err.error_name, err.error_args) == ("InsufficientStake", (0, E18 // 2, E18))


def test_first_registration_needs_a_key(small_system: SmallSystem) -> None:
    w = staked_operator(small_system, 0x27, 5 * E18, {0: WAD})
    assert revert(w.register_operator, [0]).error_name == "MissingPubkey"


def test_deregistration_keeps_history(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op3 = dev.operators[3]
    before_block = dev.client.block_number()
    apk_before, total_before = apk(small_system, 1), dev.reader.total_stake(1)
    op3.writer.deregister_operator([1])
    assert apk(small_system, 1) == g1_add(apk_before, g1_neg(op3.keypair.pubkey_g1))
    assert dev.reader.total_stake(1) == total_before - 40 * E18
    assert dev.reader.stake(op3.operator_id, 1) == 0
    assert dev.reader.stake(op3.operator_id, 1, before_block) == 40 * E18
    assert dev.reader.quorum_bitmap(op3.operator_id) == 0
    assert dev.reader.quorum_bitmap(op3.operator_id, before_block) == 0b10
    op3.writer.register_operator([1])  # the key is already known
    assert dev.reader.stake(op3.operator_id, 1) == 40 * E18
    assert apk(small_system, 1) == apk_before


def test_ejector_and_minimum_stake_updates(small_system: SmallSystem) -> None:
    dev = small_system.dev
    op0, op1 = dev.operators[0], dev.operators[1]
    registry = dev.deployment.contract("OperatorRegistry")
    err = revert(op1.writer.client.transact, registry, "ejectOperator", op0.address, b"\x00")
    assert err.error_name == "OnlyEjector"
    dev.client.transact(registry, "ejectOperator", op1.address, b"\x00")  # deployer is ejector
    assert dev.reader.quorum_bitmap(op1.operator_id) == 0

    dev.client.transact(registry, "setMinimumStake", 0, 15 * E18)
    dev.owner.update_operators([op0.address, dev.operators[2].address])
    assert dev.reader.quorum_bitmap(op0.operator_id) == 0  # 10e18 < 15e18: removed
    assert dev.reader.quorum_bitmap(dev.operators[2].operator_id) == 0b11  # 40e18 stays
