"""Surrogate halves from JSON's `\\uXXXX` escapes, made into the characters they mean (or U+FFFD when alone)."""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def join_surrogates(text: str) -> str:
    """JSON's `\\ud83c\\udf89` read as two halves (by PyYAML, or a lone one by anyone): the one character meant."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def clean_strings(data: Any) -> Any:
    """data with join_surrogates applied to every string and key in it."""
    if isinstance(data, str):
        return join_surrogates(data)
    if isinstance(data, list):
        return [clean_strings(item) for item in data]
    if isinstance(data, dict):
        return {join_surrogates(key): clean_strings(value) for key, value in data.items()}
    return data
