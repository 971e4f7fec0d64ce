"""Read-ahead for export pages: the next page downloads while the current one is processed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

P = TypeVar("P")
S = TypeVar("S")


class _End:
    pass


END = _End()


def read_ahead(
    fetch: Callable[[S], P], first: S, following: Callable[[P, S], S | _End]
) -> Iterator[P]:
    """Pages in order; `following` names the next page's position, or END after the last."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefetch") as pool:
        position = first
        future: Future[P] | None = pool.submit(fetch, first)
        while future is not None:
            page = future.result()
            after = following(page, position)
            if isinstance(after, _End):
                future = None
            else:
                position = after
                future = pool.submit(fetch, after)
            yield page
