"""Work a request starts in the background (asset thumbnails) is tracked: at shutdown what
finishes within the grace period is awaited, and the rest is cancelled, never left to the
loop's closing."""

from __future__ import annotations

import asyncio

from canvas_server.server.services import BackgroundTasks


def test_shutdown_awaits_quick_background_work_and_cancels_the_rest() -> None:
    finished: list[str] = []

    async def work(name: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        finished.append(name)

    async def scenario() -> tuple[asyncio.Task[None], asyncio.Task[None]]:
        background = BackgroundTasks()
        quick = background.start(work("quick", 0.05), name="quick")
        slow = background.start(work("slow", 60), name="slow")
        assert len(background) == 2
        await background.close(grace=0.5)
        assert len(background) == 0
        return quick, slow

    quick, slow = asyncio.run(scenario())
    assert finished == ["quick"]
    assert quick.done() and not quick.cancelled()
    assert slow.cancelled()


def test_finished_background_work_is_forgotten_at_once() -> None:
    async def scenario() -> int:
        background = BackgroundTasks()
        await background.start(asyncio.sleep(0), name="instant")
        await asyncio.sleep(0)  # the done callback runs on the next loop turn
        return len(background)

    assert asyncio.run(scenario()) == 0
