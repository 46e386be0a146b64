"""Both big-integer backends of the fast path give the same answers (gmpy2 and plain ints).

The suite runs on whichever backend imports (gmpy2 is pinned in the lock, so CI runs it);
the pure-Python path is run here in a child process with ``AVS_BIGINT=python``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from avs.crypto import bigint
from avs.crypto.bigint import ENV, _select
from avs.crypto.points import P

SCENARIO = textwrap.dedent(
    """
    import json, random
    from avs.crypto.batch_verify import FastVerifier, SignatureItem
    from avs.crypto.bigint import BACKEND
    from avs.crypto.bls import KeyPair
    from avs.crypto.bn254 import g1_add, hash_to_g1
    from avs.crypto.keccak import keccak256
    from avs.crypto.points import G1_GENERATOR

    rng = random.Random(5)
    keys = [KeyPair.from_secret(rng.randrange(1, 2**200)) for _ in range(4)]
    messages = [keccak256(bytes([t])) for t in range(3)]
    items = [SignatureItem(m, k.pubkey_g2, k.sign(m)) for m in messages for k in keys]
    verifier = FastVerifier()
    caught = []
    for i, it in enumerate(items):
        forged = list(items)
        forged[i] = SignatureItem(it.message, it.pubkey_g2, g1_add(it.signature, G1_GENERATOR))
        caught.append(verifier.find_invalid(forged) == [i] and not verifier.batch_verify(forged))
    one = items[0]
    print(json.dumps({
        "backend": BACKEND,
        "honest": verifier.batch_verify(items),
        "every_forgery_caught": all(caught),
        "single": verifier.verify(one.pubkey_g2, one.message, one.signature),
        "aggregate": verifier.verify_aggregate(
            [k.pubkey_g2 for k in keys], messages[0], [it.signature for it in items[:4]]
        ),
        "signature": [keys[1].sign(messages[2]).x, keys[1].sign(messages[2]).y],
        "hash": [hash_to_g1(messages[1]).x, hash_to_g1(messages[1]).y],
    }))
    """
)


def run_scenario(backend: str) -> dict[str, object]:
    env = {**os.environ, ENV: backend}
    out = subprocess.run(
        [sys.executable, "-c", SCENARIO], env=env, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(out.stdout)
    return result


def test_the_pure_python_path_verifies_and_catches_every_forgery() -> None:
    plain = run_scenario("python")
    assert plain["backend"] == "python"
    assert plain["honest"] is True
    assert plain["every_forgery_caught"] is True
    assert plain["single"] is True
    assert plain["aggregate"] is True


def test_gmpy2_gives_the_same_results_as_plain_ints() -> None:
    if bigint.BACKEND != "gmpy2":
        pytest.skip("gmpy2 is not installed (pip install 'edge-avs[fast]'); nothing to compare")
    assert run_scenario("gmpy2") | {"backend": "python"} == run_scenario("python")


def test_backend_choice() -> None:
    assert _select("python") == ("python", int)
    with pytest.raises(ValueError, match="use auto, gmpy2 or python"):
        _select("gmp")
    assert int(bigint.P) == P
    assert bigint.plain(bigint.to_backend(12345)) == 12345
    assert type(bigint.plain(bigint.to_backend(12345))) is int
