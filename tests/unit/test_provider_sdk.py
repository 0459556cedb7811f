"""The provider SDK (nodes.sdk.providers): watched calls, retries, polling, credentials, downloads."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from nodes.sdk import NodeCancelledError, NodeExecutionError
from nodes.sdk.providers import (
    Backoff,
    CredentialStore,
    JobApi,
    Polling,
    Watch,
    download,
    sniff_suffix,
)

MP4_HEAD = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 32


class Flaky(Exception):
    pass


def transient(exc: Exception, final: bool) -> Exception | None:
    if isinstance(exc, Flaky):
        return NodeExecutionError("gave up", code="provider_unreachable") if final else None
    return exc


def test_transient_failures_are_retried_with_doubling_backoff_and_the_last_one_becomes_the_node_error() -> None:
    calls: list[float] = []

    def call() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise Flaky()
        return "ok"

    watch = Watch(lambda: False, "Test")
    assert watch.retrying(call, transient, Backoff(retries=3, first_s=0.05)) == "ok"
    assert len(calls) == 3 and calls[2] - calls[1] >= 0.09  # 0.05 then 0.1

    calls.clear()
    with pytest.raises(NodeExecutionError) as failed:
        watch.retrying(lambda: (_ for _ in ()).throw(Flaky()), transient, Backoff(retries=1, first_s=0.01))
    assert failed.value.code == "provider_unreachable"


def test_a_permanent_failure_is_raised_at_once_without_retrying() -> None:
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        raise ValueError("bad request")

    with pytest.raises(ValueError):
        Watch(lambda: False, "Test").retrying(call, transient, Backoff(retries=5, first_s=0.01))
    assert calls == [1]


def test_cancelling_during_a_hung_call_ends_at_once_and_asks_the_provider_to_cancel_its_job_once() -> None:
    cancelled = threading.Event()
    remote_cancels: list[int] = []
    watch = Watch(cancelled.is_set, "Test", on_cancel=lambda: remote_cancels.append(1))
    threading.Timer(0.1, cancelled.set).start()
    started = time.monotonic()
    with pytest.raises(NodeCancelledError, match="the job was cancelled there"):
        watch.retrying(lambda: time.sleep(30), transient, Backoff())
    assert time.monotonic() - started < 2
    with pytest.raises(NodeCancelledError, match="abandoned"):
        watch.check()
    assert remote_cancels == [1]


def test_polling_reports_each_answer_until_done_and_times_out_with_the_providers_error() -> None:
    answers = iter(["queued", "running", "done"])
    seen: list[str] = []
    watch = Watch(lambda: False, "Test")
    result = watch.poll(lambda: next(answers), lambda a: a == "done", Polling(0.01, 0.02, 10),
                        lambda _elapsed, answer: seen.append(answer), lambda s: NodeExecutionError("late"))
    assert result == "done" and seen == ["queued", "running", "done"]
    with pytest.raises(NodeExecutionError, match="late after"):
        watch.poll(lambda: "running", lambda a: a == "done", Polling(0.01, 0.01, 0.05),
                   lambda *_: None, lambda s: NodeExecutionError(f"late after {s:.2f}"))


def test_credentials_are_sealed_per_principal_and_never_shown(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path, b"workspace-secret")
    store.set("ana", "suno", SecretStr("sk-ana-123"))
    store.set("ben", "suno", SecretStr("sk-ben-456"))
    assert store.get("ana", "suno") == SecretStr("sk-ana-123")
    assert store.get("ben", "higgsfield") is None
    assert store.providers("ana") == ["suno"]
    assert "sk-ana" not in repr(store.get("ana", "suno")) and "sk-ana" not in str(store.get("ana", "suno"))
    for sealed in (tmp_path / "provider_credentials").iterdir():
        assert b"sk-" not in sealed.read_bytes() and b"ana" not in sealed.read_bytes()
        assert sealed.stat().st_mode & 0o077 == 0
    with pytest.raises(NodeExecutionError) as missing:
        store.require("ben", "higgsfield", None, "store a key")
    assert missing.value.code == "credentials_missing"
    with pytest.raises(NodeExecutionError) as unreadable:
        CredentialStore(tmp_path, b"another-secret").get("ana", "suno")
    assert unreadable.value.code == "credentials_unreadable"
    store.set("ana", "suno", None)
    assert store.providers("ana") == []


def test_downloads_are_size_limited_and_must_be_the_media_asked_for() -> None:
    bodies = {"/clip": MP4_HEAD, "/page": b"<html>login</html>", "/huge": b"\x00" * 4096}
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, content=bodies[r.url.path])))
    data, suffix = download(client, "http://provider/clip", "video", source="Test")
    assert data == MP4_HEAD and suffix == ".mp4"
    with pytest.raises(NodeExecutionError) as page:
        download(client, "http://provider/page", "video", source="Test")
    assert page.value.code == "provider_bad_media"
    with pytest.raises(NodeExecutionError) as huge:
        download(client, "http://provider/huge", "video", source="Test", max_bytes=1024)
    assert huge.value.code == "provider_download_too_large"
    with pytest.raises(NodeExecutionError):
        download(client, "http://provider/clip", "audio", source="Test")
    assert sniff_suffix(b"ID3\x04") == ("audio", ".mp3") and sniff_suffix(b"RIFF\0\0\0\0WAVE") == ("audio", ".wav")


def test_a_job_apis_retryable_status_is_retried_then_named_unreachable_and_any_other_answer_is_the_callers() -> None:
    seen: list[int] = []
    answers = iter([503, 429, 404])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        return httpx.Response(next(answers, 503))

    jobs = JobApi(Watch(lambda: False, "Clips"), Backoff(retries=2, first_s=0.01), "http://clips.test", "clips")
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert jobs.send(lambda: client.get("http://clips.test/a"), "submit").status_code == 404
        assert len(seen) == 3  # 503, 429 retried; the 404 is an answer
        with pytest.raises(NodeExecutionError) as gone:
            jobs.send(lambda: client.get("http://clips.test/a"), "submit")
    assert gone.value.code == "clips_unreachable" and "Clips at http://clips.test could not submit" in gone.value.message


def test_a_job_is_polled_with_its_state_as_progress_until_done_or_its_time_limit() -> None:
    states = iter(["queued", "running", "done"])
    progress: list[tuple[float, str]] = []
    jobs = JobApi(Watch(lambda: False, "Clips"), Backoff(), "http://clips.test", "clips")
    polling = Polling(first_s=0.01, max_s=0.01, timeout_s=5)
    assert jobs.wait(lambda: next(states), str, frozenset({"queued", "running"}), polling, "job-1",
                     lambda share, step: progress.append((share, step)), expected_s=10) == "done"
    assert [step for _, step in progress] == ["Clips: queued", "Clips: running", "Clips: done"]
    assert all(0.05 <= share <= 0.9 for share, _ in progress)
    with pytest.raises(NodeExecutionError) as late:
        jobs.wait(lambda: "queued", str, frozenset({"queued"}), Polling(0.01, 0.01, 0.05), "job-2",
                  lambda share, step: None, expected_s=10)
    assert late.value.code == "clips_timeout" and late.value.details == {"job": "job-2"}
