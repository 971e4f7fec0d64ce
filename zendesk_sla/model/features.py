"""What the severity model reads in a text: words, word pairs and the letter runs inside words.

One function for training and for reading: training hands it to scikit-learn's vectorizer,
the worker calls it directly, so both see the same features. Letter runs (3 to 5, inside
word boundaries) carry typos, word forms and the kinship of Spanish, Portuguese and Catalan.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")
LIMIT = 2000  # characters read: the opening of a long mail says what is wrong


def tokens(text: str) -> list[str]:
    """Lower case, accents off, words and numbers: `¡Caída TOTAL, 502!` -> caida total 502."""
    folded = unicodedata.normalize("NFKD", text[:LIMIT].casefold())
    return _WORD.findall(folded.encode("ascii", "ignore").decode("ascii"))


@lru_cache(maxsize=65536)
def _letter_runs(word: str) -> tuple[str, ...]:
    padded = f" {word} "
    return tuple("c:" + padded[i : i + n] for n in (3, 4, 5) for i in range(len(padded) - n + 1))


def features(text: str) -> list[str]:
    """Every feature of the text, repeated as often as it occurs (the vectorizer counts)."""
    words = tokens(text)
    out = ["w:" + w for w in words]
    out.extend(f"b:{a}_{b}" for a, b in itertools.pairwise(words))
    for word in words:
        if not word.isdigit():
            out.extend(_letter_runs(word))
    return out
