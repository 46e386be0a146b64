"""Parity of the stand-in core with EigenLayer's core interfaces (v1.12.0, the slashing
release with operator sets): every function selector and event topic listed here, taken
from EigenLayer's published interface files (``src/contracts/interfaces`` of
Layr-Labs/eigenlayer-contracts), must be in our compiled ABIs with the same indexed
arguments, so the middleware deploys unchanged on EigenLayer's contracts and indexers see
the same events. What EigenLayer has beyond this list is in contracts/README.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from avs.crypto.keccak import keccak256

ARTIFACTS = Path(__file__).resolve().parents[3] / "avs" / "chain" / "artifacts"

# (first 4 bytes of the selector or topic, "signature" or "event signature indexed-mask")
EIGENLAYER: dict[str, tuple[tuple[str, str], ...]] = {
    "AllocationManager": (
        ("0xa89c1dc2", "event AVSMetadataURIUpdated(address,string) i-"),
        ("0x2ae945c4", "event AVSRegistrarSet(address,address) --"),
        ("0x4e85751d", "event AllocationDelaySet(address,uint32,uint32) ---"),
        (
            "0x1487af54",
            "event AllocationUpdated(address,(address,uint32),address,uint64,uint32) -----",
        ),
        ("0xacf9095f", "event EncumberedMagnitudeUpdated(address,address,uint64) ---"),
        ("0x1c645807", "event MaxMagnitudeUpdated(address,address,uint64) ---"),
        ("0x43232edf", "event OperatorAddedToOperatorSet(address,(address,uint32)) i-"),
        ("0xad34c307", "event OperatorRemovedFromOperatorSet(address,(address,uint32)) i-"),
        ("0x31629285", "event OperatorSetCreated((address,uint32)) -"),
        (
            "0x80969ad2",
            "event OperatorSlashed(address,(address,uint32),address[],uint256[],string) -----",
        ),
        ("0x3873f29d", "event SlasherUpdated((address,uint32),address,uint32) ---"),
        ("0x7ab260fe", "event StrategyAddedToOperatorSet((address,uint32),address) --"),
        ("0x7bc1ef61", "ALLOCATION_CONFIGURATION_DELAY()"),
        ("0x2981eb77", "DEALLOCATION_DELAY()"),
        ("0x261f84e0", "createOperatorSets(address,(uint32,address[])[])"),
        ("0x3dff8e7d", "createOperatorSets(address,(uint32,address[],address)[])"),
        ("0xdf5cf723", "delegation()"),
        ("0x6e3492b5", "deregisterFromOperatorSets((address,address,uint32[]))"),
        ("0x304c10cd", "getAVSRegistrar(address)"),
        ("0x6cfb4481", "getAllocatableMagnitude(address,address)"),
        ("0x2b453a9a", "getAllocatedStake((address,uint32),address[],address[])"),
        ("0x10e1b9b8", "getAllocation(address,(address,uint32),address)"),
        ("0xb9fbaed1", "getAllocationDelay(address)"),
        ("0xf605ce08", "getEncumberedMagnitude(address,address)"),
        ("0xa9333ec8", "getMaxMagnitude(address,address)"),
        ("0x94d7d00c", "getMaxMagnitudesAtBlock(address,address[],uint32)"),
        ("0xb2447af7", "getMemberCount((address,uint32))"),
        ("0x6e875dba", "getMembers((address,uint32))"),
        ("0x2bab2c4a", "getMinimumSlashableStake((address,uint32),address[],address[],uint32)"),
        ("0x4cfd2939", "getSlashCount((address,uint32))"),
        ("0xd4a3fcce", "getSlasher((address,uint32))"),
        ("0x4177a87c", "getStrategiesInOperatorSet((address,uint32))"),
        ("0x670d3ba2", "isMemberOfOperatorSet(address,(address,uint32))"),
        ("0x260dc758", "isOperatorSet((address,uint32))"),
        ("0x1352c3e6", "isOperatorSlashable(address,(address,uint32))"),
        ("0x952899ee", "modifyAllocations(address,((address,uint32),address[],uint64[])[])"),
        ("0xadc2e3d9", "registerForOperatorSets(address,(address,uint32[],bytes))"),
        ("0xd3d96ff4", "setAVSRegistrar(address,address)"),
        ("0x56c483e6", "setAllocationDelay(address,uint32)"),
        ("0x36352057", "slashOperator(address,(address,uint32,address[],uint256[],string))"),
        ("0xa9821821", "updateAVSMetadataURI(address,string)"),
    ),
    "DelegationManager": (
        ("0x773b54c0", "event DelegationApproverUpdated(address,address) i-"),
        ("0x02a919ed", "event OperatorMetadataURIUpdated(address,string) i-"),
        ("0xa453db61", "event OperatorRegistered(address,address) i-"),
        ("0x69096000", "event OperatorSharesDecreased(address,address,address,uint256) i---"),
        ("0x1ec042c9", "event OperatorSharesIncreased(address,address,address,uint256) i---"),
        ("0xdd611f4e", "event OperatorSharesSlashed(address,address,uint256) i--"),
        ("0x1f404008", "event SlashingWithdrawalCompleted(bytes32) -"),
        (
            "0x26b2aae2",
            "event SlashingWithdrawalQueued(bytes32,(address,address,address,uint256,uint32,address[],uint256[]),uint256[]) ---",  # noqa: E501
        ),
        ("0xc3ee9f2e", "event StakerDelegated(address,address) ii"),
        ("0xf0eddf07", "event StakerForceUndelegated(address,address) ii"),
        ("0xfee30966", "event StakerUndelegated(address,address) ii"),
        ("0x04a4f979", "DELEGATION_APPROVAL_TYPEHASH()"),
        (
            "0x0b9f487a",
            "calculateDelegationApprovalDigestHash(address,address,address,bytes32,uint256)",
        ),
        (
            "0x597b36da",
            "calculateWithdrawalRoot((address,address,address,uint256,uint32,address[],uint256[]))",
        ),
        (
            "0xe4cc3f90",
            "completeQueuedWithdrawal((address,address,address,uint256,uint32,address[],uint256[]),address[],bool)",
        ),
        ("0xa1788484", "cumulativeWithdrawalsQueued(address)"),
        ("0xeea9064b", "delegateTo(address,(bytes,uint256),bytes32)"),
        ("0x65da1264", "delegatedTo(address)"),
        ("0x3cdeb5e0", "delegationApprover(address)"),
        ("0xbb45fef2", "delegationApproverSaltIsSpent(address,bytes32)"),
        ("0x66d5ba93", "getDepositedShares(address)"),
        ("0x90041347", "getOperatorShares(address,address[])"),
        ("0x5d975e88", "getQueuedWithdrawal(bytes32)"),
        ("0xc978f7ac", "getWithdrawableShares(address,address[])"),
        ("0x3c651cf2", "increaseDelegatedShares(address,address,uint256,uint256)"),
        ("0x3e28391d", "isDelegated(address)"),
        ("0x6d70f7ae", "isOperator(address)"),
        ("0xc448feb8", "minWithdrawalDelayBlocks()"),
        ("0x54b7c96c", "modifyOperatorDetails(address,address)"),
        ("0x0dd8dd02", "queueWithdrawals((address[],uint256[],address)[])"),
        ("0x2aa6d888", "registerAsOperator(address,uint32,string)"),
        (
            "0x5ae679a7",
            "slashOperatorShares(address,(address,uint32),uint256,address,uint64,uint64)",
        ),
        ("0xda8be864", "undelegate(address)"),
        ("0x78296ec5", "updateOperatorMetadataURI(address,string)"),
    ),
    "StrategyManager": (
        ("0xd9d082c3", "event BurnableSharesDecreased(address,uint256) --"),
        ("0x5548c837", "event Deposit(address,address,uint256) ---"),
        ("0x0c35b17d", "event StrategyAddedToDepositWhitelist(address) -"),
        ("0x5de08ff2", "addStrategiesToDepositWhitelist(address[])"),
        ("0x4b6d5d6e", "burnShares(address)"),
        ("0xdf5cf723", "delegation()"),
        ("0xe7a050aa", "depositIntoStrategy(address,address,uint256)"),
        ("0xfd980423", "getBurnableShares(address)"),
        ("0x663c1de4", "strategyIsWhitelistedForDeposit(address)"),
        ("0x2eae418c", "withdrawSharesAsTokens(address,address,address,uint256)"),
    ),
    "PermissionController": (
        ("0xdb9d5d31", "event AdminRemoved(address,address) i-"),
        ("0xbf265e83", "event AdminSet(address,address) i-"),
        ("0x18242326", "event AppointeeRemoved(address,address,address,bytes4) ii--"),
        ("0x037f03a2", "event AppointeeSet(address,address,address,bytes4) ii--"),
        ("0xb14b9a3d", "event PendingAdminAdded(address,address) i-"),
        ("0xd706ed7a", "event PendingAdminRemoved(address,address) i-"),
        ("0x628806ef", "acceptAdmin(address)"),
        ("0xeb5a4e87", "addPendingAdmin(address,address)"),
        ("0xdf595cb8", "canCall(address,address,address,bytes4)"),
        ("0xad5f2210", "getAdmins(address)"),
        ("0x882a3b38", "getAppointeePermissions(address,address)"),
        ("0xfddbdefd", "getAppointees(address,address,bytes4)"),
        ("0x6bddfa1f", "getPendingAdmins(address)"),
        ("0x91006745", "isAdmin(address,address)"),
        ("0xad8aca77", "isPendingAdmin(address,address)"),
        ("0x268959e5", "removeAdmin(address,address)"),
        ("0x06641201", "removeAppointee(address,address,address,bytes4)"),
        ("0x4f906cf9", "removePendingAdmin(address,address)"),
        ("0x950d806e", "setAppointee(address,address,address,bytes4)"),
    ),
    "OperatorRegistry": (
        ("0x303ca956", "deregisterOperator(address,address,uint32[])"),
        ("0xc63fd502", "registerOperator(address,address,uint32[],bytes)"),
        ("0xb5265787", "supportsAVS(address)"),
        # registry events as eigenlayer-middleware emits them (BLSApkRegistry,
        # SlashingRegistryCoordinator, StakeRegistry, SocketRegistry), so indexers see ours
        (
            "0xe3fb6613",
            "event NewPubkeyRegistration(address,(uint256,uint256),(uint256[2],uint256[2])) i--",
        ),
        ("0xe8e68cef", "event OperatorRegistered(address,bytes32) ii"),
        ("0x396fdcb1", "event OperatorDeregistered(address,bytes32) ii"),
        ("0x73a2b7fb", "event OperatorAddedToQuorums(address,bytes32,bytes) ---"),
        ("0xf843ecd5", "event OperatorRemovedFromQuorums(address,bytes32,bytes) ---"),
        ("0xec2963ab", "event OperatorSocketUpdate(bytes32,string) i-"),
        ("0x2f527d52", "event OperatorStakeUpdate(bytes32,uint8,uint96) i--"),
    ),
    "StrategyBase": (
        ("0x47e7ef24", "deposit(address,uint256)"),
        ("0x7a8b2637", "sharesToUnderlyingView(uint256)"),
        ("0x3a98ef39", "totalShares()"),
        ("0x2495a599", "underlyingToken()"),
        ("0xd9caed12", "withdraw(address,address,uint256)"),
    ),
}


def _canonical(item: dict[str, Any]) -> str:
    def kind(t: dict[str, Any]) -> str:
        typ = str(t["type"])
        if typ.startswith("tuple"):
            return "(" + ",".join(kind(c) for c in t["components"]) + ")" + typ[5:]
        return typ

    return str(item["name"]) + "(" + ",".join(kind(i) for i in item["inputs"]) + ")"


def _ours(contract: str) -> dict[str, str]:
    """Our ABI (with overloads) as {signature: indexed-mask ("" for functions)}."""
    out: dict[str, str] = {}
    for item in json.loads((ARTIFACTS / f"{contract}.json").read_text())["abi"]:
        if item["type"] == "function":
            out[_canonical(item)] = ""
        elif item["type"] == "event":
            out[_canonical(item)] = "".join("i" if i["indexed"] else "-" for i in item["inputs"])
    return out


@pytest.mark.parametrize("contract", sorted(EIGENLAYER))
def test_stand_in_core_has_eigenlayers_selectors_and_topics(contract: str) -> None:
    ours = _ours(contract)
    missing = []
    for prefix, entry in EIGENLAYER[contract]:
        is_event = entry.startswith("event ")
        signature, _, mask = entry.removeprefix("event ").partition(" ")
        assert "0x" + keccak256(signature.encode())[:4].hex() == prefix, entry  # list is sane
        if signature not in ours or ours[signature] != mask:
            missing.append(entry)
        assert is_event == bool(mask) or not is_event, entry
    assert missing == []


def test_state_retriever_returns_the_middlewares_operator_shape() -> None:
    abi = json.loads((ARTIFACTS / "OperatorStateRetriever.json").read_text())["abi"]
    (fn,) = [f for f in abi if f.get("name") == "getOperatorState"]
    assert _canonical(fn) == "getOperatorState(address,bytes,uint32)"
    assert fn["outputs"][0]["type"] == "tuple[][]"
    assert [c["type"] for c in fn["outputs"][0]["components"]] == ["address", "bytes32", "uint96"]


def test_the_list_covers_what_the_middleware_and_python_call() -> None:
    listed = {e for entries in EIGENLAYER.values() for _, e in entries}
    for used in (
        "registerAsOperator(address,uint32,string)",
        "delegateTo(address,(bytes,uint256),bytes32)",
        "undelegate(address)",
        "queueWithdrawals((address[],uint256[],address)[])",
        "getMinimumSlashableStake((address,uint32),address[],address[],uint32)",
        "setAppointee(address,address,address,bytes4)",
        "slashOperator(address,(address,uint32,address[],uint256[],string))",
    ):
        assert used in listed
