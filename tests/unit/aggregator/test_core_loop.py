"""The aggregator's certification loop stops when it is cancelled (SIGTERM, shutdown)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from core_fakes import make_core, make_task, signed  # type: ignore[import-not-found]  # test dir on sys.path


def test_cancel_stops_the_loop_even_as_a_response_wakes_it(tmp_path: Path) -> None:
    # A response arriving in the same loop turn as the cancel once swallowed the cancel
    # (asyncio.wait_for in Python 3.11), and the loop polled forever.
    async def scenario() -> None:
        core, _, _ = make_core(tmp_path)
        task = make_task(1)
        await core.add_task(task)
        loop = asyncio.create_task(core.run(poll_seconds=30))
        await asyncio.sleep(0.05)
        for i in range(3):
            await core.submit(signed(i, task, b"\x01"))
        # The third response made the task ready and set the wake-up: cancel in that turn.
        loop.cancel()
        done, _ = await asyncio.wait({loop}, timeout=5)
        assert loop in done
        assert loop.cancelled()

    asyncio.run(scenario())
