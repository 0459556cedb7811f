"""The request/poll block of a provider whose API is "submit a job, poll its status": every call
watched for cancellation and retried with backoff while its failure is transient (unreachable,
or one of the provider's retryable HTTP statuses), the final failure a node error naming the
service, and the job polled with progress until it is no longer waiting. Higgsfield and Suno
speak through it; a new provider of this shape only says what its answers mean."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from .._errors import NodeExecutionError
from ._calls import Backoff, Classify, Polling, Watch

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})  # what the official clients retry
POLL_SHARE = (0.05, 0.85)  # a job's wait fills this part of the node's progress bar


@dataclass(frozen=True)
class JobApi:
    """One run's calls to one provider at `base`; error codes are `<code>_unreachable` and
    `<code>_timeout`."""

    watch: Watch
    backoff: Backoff
    base: str
    code: str
    retry_statuses: frozenset[int] = RETRY_STATUSES

    @property
    def service(self) -> str:
        return self.watch.service

    def classify(self, what: str) -> Classify:
        """Transient failures retried; the last one the node's `<code>_unreachable` error."""
        def classify(exc: Exception, final: bool) -> Exception | None:
            transient = isinstance(exc, httpx.TransportError) or (
                isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in self.retry_statuses)
            if not transient:
                return exc
            return NodeExecutionError(f"{self.service} at {self.base} could not {what} ({type(exc).__name__})",
                                      code=f"{self.code}_unreachable") if final else None
        return classify

    def checked(self, answer: httpx.Response) -> httpx.Response:
        """A retryable status raised as httpx's error (a transient failure); any other answer
        (2xx or not) is the caller's to read."""
        if answer.status_code in self.retry_statuses:
            answer.raise_for_status()
        return answer

    def send(self, request: Callable[[], httpx.Response], what: str) -> httpx.Response:
        """`request()`, watched and retried while its failure is transient."""
        return self.watch.retrying(lambda: self.checked(request()), self.classify(what), self.backoff)

    def fetch(self, download: Callable[[], T], what: str) -> T:
        """A result's download, watched and retried like a call."""
        return self.watch.retrying(download, self.classify(what), self.backoff)

    def wait(self, status: Callable[[], T], state: Callable[[T], str], pending: frozenset[str], polling: Polling,
             job: str, progress: Callable[[float, str], None], expected_s: float) -> T:
        """Poll `status` while its `state` is `pending`, reporting the state as progress over
        about `expected_s`; past the polling's time limit, `<code>_timeout`."""
        start, share = POLL_SHARE

        def report(elapsed: float, answer: T) -> None:
            progress(start + share * min(1.0, elapsed / expected_s), f"{self.service}: {state(answer)}")

        return self.watch.poll(
            status, lambda answer: state(answer) not in pending, polling, report,
            lambda elapsed: NodeExecutionError(f"{self.service} job {job} not done after {elapsed:.0f} s",
                                               code=f"{self.code}_timeout", details={"job": job}))
