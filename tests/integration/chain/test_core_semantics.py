"""The stand-in core behaves like EigenLayer's where the middleware relies on it: the
permission controller gates account-scoped calls, an AVS must publish metadata before it
creates operator sets, allocation-delay changes wait, delegation approvers sign, and only
the staker or its operator may undelegate."""

from __future__ import annotations

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount

from avs.chain.client import Contract
from avs.chain.writer import ZERO_ADDRESS, ChainWriter
from avs.errors import ContractRevert

from .systems import E18, SmallSystem

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _isolated(chain_snapshot: None) -> None:
    """Every test starts from the module's freshly deployed small_system."""


def funded(system: SmallSystem, tag: int, tokens: int = 0) -> tuple[LocalAccount, ChainWriter]:
    dev = system.dev
    account: LocalAccount = Account.from_key(bytes([tag]) * 32)
    dev.client.send_value(account.address, E18)
    if tokens:
        dev.owner.mint(account.address, tokens)
    return account, ChainWriter(dev.client.with_account(account.key), dev.deployment)


def revert(fn: object, *args: object, **kw: object) -> str:
    with pytest.raises(ContractRevert) as err:
        fn(*args, **kw)  # type: ignore[operator]
    return str(err.value.error_name)


def test_permission_controller_gates_account_calls(small_system: SmallSystem) -> None:
    dev = small_system.dev
    avs_account, avs = funded(small_system, 0x71)
    _, stranger = funded(small_system, 0x72)
    allocations = dev.deployment.contract("AllocationManager")
    permissions = dev.deployment.contract("PermissionController")
    uri = "https://example.invalid/avs.json"
    # only the account (its own admin) or an appointee may act for it
    assert revert(
        stranger.client.transact, allocations, "updateAVSMetadataURI", avs.address, uri
    ) == ("InvalidPermissions")
    create = (avs.address, [(0, [dev.deployment.strategy], avs.address)])  # V2: with slasher
    assert revert(avs.client.transact, allocations, "createOperatorSets", *create) == (
        "NonexistentAVSMetadata"
    )
    avs.client.transact(allocations, "updateAVSMetadataURI", avs.address, uri)
    selector = allocations.abi.function("createOperatorSets").selector
    avs.client.transact(
        permissions, "setAppointee", avs.address, stranger.address, allocations.address, selector
    )
    assert dev.client.call1(
        permissions, "canCall", avs.address, stranger.address, allocations.address, selector
    )
    assert list(dev.client.call1(permissions, "getAdmins", avs_account.address)) == [
        avs_account.address
    ]
    avs.client.transact(
        permissions, "removeAppointee", avs.address, stranger.address, allocations.address, selector
    )
    assert not dev.client.call1(
        permissions, "canCall", avs.address, stranger.address, allocations.address, selector
    )
    # two-step admins; the last admin cannot leave
    avs.client.transact(permissions, "addPendingAdmin", avs.address, stranger.address)
    stranger.client.transact(permissions, "acceptAdmin", avs.address)
    assert list(dev.client.call1(permissions, "getAdmins", avs.address)) == [stranger.address]
    assert not dev.client.call1(permissions, "isAdmin", avs.address, avs.address)
    assert revert(
        stranger.client.transact, permissions, "removeAdmin", avs.address, stranger.address
    ) == ("CannotHaveZeroAdmins")


def test_allocation_delay_changes_wait_for_the_configuration_delay(
    small_system: SmallSystem,
) -> None:
    dev, op0 = small_system.dev, small_system.dev.operators[0]
    assert dev.reader.allocation_delay(op0.address) == 0
    op0.writer.set_allocation_delay(7)
    assert dev.reader.allocation_delay(op0.address) == 0  # not yet
    dev.mine(dev.deployment.params.allocation_configuration_delay_blocks + 1)
    assert dev.reader.allocation_delay(op0.address) == 7


def test_delegation_approver_must_sign(small_system: SmallSystem) -> None:
    dev = small_system.dev
    approver, operator = funded(small_system, 0x73)
    staker_account, staker = funded(small_system, 0x74, tokens=E18)
    operator.register_as_operator(delegation_approver=approver.address)
    staker.deposit(E18)
    delegation: Contract = dev.deployment.contract("DelegationManager")
    expiry, salt = 2**40, b"\x01" * 32

    def signature(signer: LocalAccount, exp: int = expiry) -> bytes:
        digest = dev.client.call1(
            delegation, "calculateDelegationApprovalDigestHash",
            staker_account.address, operator.address, approver.address, salt, exp,
        )  # fmt: skip
        return bytes(signer.unsafe_sign_hash(digest).signature)

    assert revert(staker.delegate_to, operator.address) == "SignatureExpired"  # none given
    assert revert(
        staker.delegate_to, operator.address, signature(staker_account), expiry, salt
    ) == ("InvalidSignature")
    assert revert(staker.delegate_to, operator.address, signature(approver, 1), 1, salt) == (
        "SignatureExpired"
    )
    staker.delegate_to(operator.address, signature(approver), expiry, salt)
    assert dev.client.call1(delegation, "delegatedTo", staker_account.address) == operator.address
    assert dev.client.call1(delegation, "delegationApproverSaltIsSpent", approver.address, salt)
    staker.undelegate()
    assert (
        revert(staker.delegate_to, operator.address, signature(approver), expiry, salt)
        == "SaltSpent"
    )


def test_only_the_staker_or_its_operator_undelegates(small_system: SmallSystem) -> None:
    dev, op2 = small_system.dev, small_system.dev.operators[2]
    staker = small_system.staker.address
    _, stranger = funded(small_system, 0x75)
    assert revert(stranger.undelegate, staker) == "CallerCannotUndelegate"
    assert revert(op2.writer.undelegate) == "OperatorsCannotUndelegate"
    (withdrawal,) = op2.writer.undelegate(staker)  # forced by the operator
    assert withdrawal.staker == staker
    assert withdrawal.withdrawer == staker
    assert withdrawal.delegated_to == op2.address
    assert dev.reader.operator_shares(op2.address) == 30 * E18
    assert revert(small_system.staker_writer.complete_withdrawal, withdrawal) == (
        "WithdrawalDelayNotElapsed"
    )
    dev.mine(dev.deployment.params.withdrawal_delay_blocks + 1)
    assert revert(stranger.complete_withdrawal, withdrawal) == "WithdrawerNotCaller"
    # completed as shares: the staker holds them again, undelegated
    small_system.staker_writer.complete_withdrawal(withdrawal, as_tokens=False)
    assert dev.reader.withdrawable_shares(staker) == 50 * E18
    assert dev.client.call1(
        dev.deployment.contract("DelegationManager"), "delegatedTo", staker
    ) == (ZERO_ADDRESS)
