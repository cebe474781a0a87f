"""``FakeBackend``: an in-process model backend whose answers a test writes as a function.

As httpx's ``MockTransport(handler)`` answers each HTTP request with what ``handler``
returns, ``FakeBackend(handler)`` answers each ``ChatRequest``: a ``Completion`` as
given, a ``str`` as the text of a completion with fixed token counts
(``PROMPT_TOKENS``, ``COMPLETION_TOKENS``, finish reason ``"stop"``), an exception
is raised. ``FakeBackend.replaying(replies)`` answers from a queue, in order, and fails
the test when the queue runs dry. Every request is logged in ``requests`` and every text
counted in ``counted``, so a test asserts on what the pipeline asked.

``FakeBatchBackend`` also completes several requests together (``complete_many``, which
makes it a ``BatchBackend``) and logs each batch it is sent in ``batches``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from summarizer.backends.base import ChatRequest, Completion
from summarizer.chunking import estimate_tokens

Reply = Completion | str | BaseException
Handler = Callable[[ChatRequest], Reply]

PROMPT_TOKENS, COMPLETION_TOKENS = 10, 5


def as_completion(reply: Reply) -> Completion:
    """The completion a reply stands for; an exception reply is raised."""
    if isinstance(reply, BaseException):
        raise reply
    if isinstance(reply, str):
        return Completion(
            text=reply,
            prompt_tokens=PROMPT_TOKENS,
            completion_tokens=COMPLETION_TOKENS,
            finish_reason="stop",
        )
    return reply


class FakeBackend:
    """A backend answering with ``handler(request)``; see the module docstring."""

    def __init__(
        self,
        handler: Handler,
        *,
        name: str = "fake",
        model: str = "fake-1",
        tokenizer: Callable[[str], int] = estimate_tokens,
        supports_grammar: bool = False,
    ) -> None:
        self.handler = handler
        self.name = name
        self.model = model
        self.tokenizer = tokenizer
        # whether the backend honours ChatRequest.grammar (the embedded model does)
        self.supports_grammar = supports_grammar
        self.requests: list[ChatRequest] = []
        self.counted: list[str] = []

    @classmethod
    def replaying(cls, replies: Iterable[Reply], **options: Any) -> FakeBackend:
        """A backend giving ``replies`` one per request, in order."""
        queue = iter(list(replies))

        def next_reply(request: ChatRequest) -> Reply:
            try:
                return next(queue)
            except StopIteration:
                raise AssertionError(f"no scripted reply left for {request.messages}") from None

        return cls(next_reply, **options)

    @property
    def calls(self) -> int:
        return len(self.requests)

    def complete(self, request: ChatRequest) -> Completion:
        self.requests.append(request)
        return as_completion(self.handler(request))

    def count_tokens(self, text: str) -> int:
        self.counted.append(text)
        return self.tokenizer(text)


class FakeBatchBackend(FakeBackend):
    """A ``FakeBackend`` that also takes batches; ``batches`` logs each one, a lone
    ``complete`` as a batch of one."""

    def __init__(self, handler: Handler, **options: Any) -> None:
        super().__init__(handler, **options)
        self.batches: list[list[ChatRequest]] = []

    def complete(self, request: ChatRequest) -> Completion:
        self.batches.append([request])
        return super().complete(request)

    def complete_many(self, requests: Sequence[ChatRequest]) -> list[Completion]:
        self.batches.append(list(requests))
        return [super(FakeBatchBackend, self).complete(request) for request in requests]
