"""A refused client stream answers its documented status, never a client-side INTERNAL.

Regression for the chaos suite's grpc-fuzz INTERNAL (``benchmarks/fuzz_grpc.py --cases 6000
--seed 12``, case 2661): the server refused a PutBlob on its first, undecodable chunk while the
client was still writing; the client's next write failed and grpc-python recorded a local
INTERNAL in place of INVALID_ARGUMENT. The server now drains the stream (bounded) first.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from avs.models import BlobStore
from avs.rpc.fuzz import FuzzCase, send
from avs.rpc.server import create_server

pytestmark = pytest.mark.integration

FUZZ_CASE = (
    bytes.fromhex(
        "72d290566bdd639ebb869ee12d4f03b6fd93821c1b5c84feb0964405d2beeb645fe6ef403420e2f5"
        "6658286827c2860399103f721c768ee51496f4ae8b6d198fa89a7ad7ed03cedbe902b46c1e6065f8"
        "785ac9d0f22789b35007bdfc529e46f471a6283b3a8f127acf3abf5181a0ec2801830a381becd393"
        "44e0cede3f9718d10c2f2b5f0d0f45d671014d0b8f21ffd6f9a205a68115e1ef375fae6b8cb5df39"
        "10422760a4730580948b80b91c96a949b610a18df460527e5e1c106197354d831065962eea2b0a0d"
        "725a60f4b8407e59ed7db7ecfa9c78c3a640ba08074a4992a83a847e4f6dbdda3bd405959578c92c"
        "3d4ffbb954e45435ee0874041f875aa49c392a79fb4d9cc1cd8bfb64da7f0c24aaa959ee5a1389f7"
        "e761042be33bf227f9bb9e6a727b978ea5e86e8a9ed47cd6de44542277e10401f6d617f7ca18fdc0"
        "15a2a429a0ca321dff562ce0c6ee5ace38c1016475ab9a82713d7e3e0e607f9ae13057c6412a408f"
        "4a6d4e393f000e0966a90a14f027158f5a42cfa75b620ad3a6d3a9b0888d7cac25e2cd25035a5986"
        "41f998c95cf2e7abca9e780bfb66847179bfd1e05ed37e037cfd25eb727acb524cdbd02a5fedbf2b"
        "38d468ceffa678cac3a39290fff4fe6cca4d4e797235ccb00e26a87eb27d846d2237fb8829804129"
        "90eb98a70afd20b77efc5a04a6b54c781e33bea0c12781042135294b010081d5b3aee95a1d44f467"
        "14c1dabfdbf3927911880c14f35ad238441cd8bc86102593fbbe0908c7a8af3353e6bc89e6723f32"
        "18345dc4567a83b34fe4a26c7028d66915569be1db077e86471debcc2866e59ba8672770f9901908"
        "fb084a78672087daeebf3a354845240c79392d247f20fe0610c3f0fc33eea1ae5d6671a38ee8eda9"
        "e5b08d4a772b96ac1fc9ec74955e8836df0ac5973458ab98f193f456fbd89008deeaff4bf41a43e7"
        "19833d89899d9721b2967956c9838982c040920d9622369f5b3a0c74aa8e9b0e726eddf79fb755a2"
        "beaf912d6ff71d8bded7b3fd368d12f0136e05a5cea8089ec7a1f201161315aaccf7fe53a2037e18"
        "af3ca325e7bac55e0463a4972a8dc2a3643ebbc3b0b0798a70bbdd397ef78bc60dc2fb36c9e3baee"
        "f28082b6d6c48ad9c9f4a9761647b26e66b0a7e006969b5382d4f9fa206c852b84db5e6e6b4a88bb"
        "827cbdd560ad1e2c4247ee57c19cb93da15199a64394bbde9168b83a26f6b4f8881275922f26f28f"
        "fe5a188c71d2bd7bdb881a46e78df9c7d3b475a34e6135b44b7a0f632e60ce2757ccbd71015df8ea"
        "f5893e8a8d9dccbc210d9d0b51971fed49a371e5a9228ca6b13ccd09a9f6248fa8bc59ef54808929"
        "61ffdb10722b787426ef52078d62e4aa8559d844f05ed17c978bd682be57a7dd1ad0767bc0574d9c"
        "906b545c5833b1c4e41e216ae5d837bffe5656929baa90aefb599678808ce11fe8fc2c7515b774c6"
        "ef5395768a3343c68986fe5dc00354c11f034234d235c64c4ba6181923ae504789a86c5d7d69e258"
        "04ce748378d2b1117c7d0a701d2f7ae6fe0f1a582fe64bfdfae7db0c193524f2a8db15c99941338e"
        "6c6321f4b0c799c7347d292dde3457d60f3a85452103d510c5cf13277bb42f962ba869e0c131f69f"
        "be013a1abb7d6cba7c210346d6b20d543e8418431b6bfb55da4863aac884a223511e490fa3f46b5b"
        "9578da877d7dcf5e4c47d44f73908ab158200403bf57fd0f7ccacb1d725d00c8442796af532bc28c"
        "cd284ee09850c0603a838ea74dcf691b17b56faa5aa98ea0bd6b16c45af800a4a2e74154a3bbffc8"
        "593c5e93f02f961b0304bc648ba2aa8efc"
    ),
    bytes.fromhex(
        "506c06449ad3a3fef69d97e5822af34b41fa1835da1a602a2feaf9911d3da3dc198947359ef4f66e"
        "06b745d12ee3db9cfebb05866c4f3ed9d8e6d16afc33da79b1df20cdf27526a6a28aa06780a8aa26"
        "1a1a099eadb73f1d5c6331a890db05ab7043d592681f6221023d4abdce1339cf93daac80c59afef7"
        "9d026add4c401014ffd7d4ce99444db52084a412b5c9aff5978b4f4ce99a1aae2804a215add7d978"
        "26e4ad83af98605d8c3c6f630521d49f2e4c6db3c6628a8c1db02cf68d7c0499b3da5794de224c3e"
        "894be174bd13e973734438bee218556c8922e3eadc99ed7e59e628b87875a6f9549df8e8f8ebe200"
        "c8ab6b862765df14a8c0cf0a86819d59914e784438518eebeae54417c6c67681ab5f7ffb62c28026"
        "a6dbb335eff2bd2026afb299561ce9f02fded8ddcf1abc46eeada096c446c41bb6b2501ea3e0bf4e"
        "54c87b850c59f99a363f1c3642ac430f1b9e6ed676dcfd0b1fd3d46323a297b3520a812e2a6b2d0f"
        "f7d8add9e0f052"
    ),
    bytes.fromhex("0d"),
)
"""The three undecodable PutBlob messages that got INTERNAL from the fuzzer."""
STILL_STREAMING = (FUZZ_CASE[0], *[bytes(512 * 1024)] * 8)
"""The same refused first chunk, then 4 MiB more the client keeps sending (widens the race)."""


async def _codes(blobs: BlobStore, case: FuzzCase, times: int) -> dict[str, int]:
    server, port = create_server("127.0.0.1:0", None, blobs, 4 << 20)  # type: ignore[arg-type]
    await server.start()
    codes: dict[str, int] = {}
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            for _ in range(times):
                code = await send(channel, case, timeout=30)
                codes[code] = codes.get(code, 0) + 1
    finally:
        await server.stop(0)
    return codes


@pytest.mark.parametrize(
    ("messages", "times"), [(FUZZ_CASE, 20), (STILL_STREAMING, 60)], ids=["fuzz-case", "streaming"]
)
def test_refused_upload_answers_invalid_argument_while_client_streams(
    tmp_path: Path, messages: tuple[bytes, ...], times: int
) -> None:
    case = FuzzCase("PutBlob", messages, "replay")
    codes = asyncio.run(_codes(BlobStore(tmp_path / "blobs"), case, times))
    assert codes == {"INVALID_ARGUMENT": times}
