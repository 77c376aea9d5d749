"""Whether an instance is valid under a draft 7 JSON Schema, answered by jsonschema-rs when it is installed.

jsonschema-rs (Rust) says yes or no about a 1,000-message document in milliseconds where jsonschema's walk takes
over a second. It only gives the verdict: jsonschema stays the judge of what is wrong, so every diagnostic is
its. Formats are not checked, as jsonschema does not check them without a format checker. Whatever jsonschema-rs
cannot take (a schema it refuses to compile, an integer beyond 64 bits) is left to jsonschema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def validity_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """A function telling whether an instance is valid under schema (draft 7, formats not checked)."""
    slow = _jsonschema_check(schema)
    try:
        import jsonschema_rs
    except ImportError:
        return slow
    try:
        fast = jsonschema_rs.Draft7Validator(schema, validate_formats=False)
    except Exception:  # noqa: BLE001 - a schema jsonschema-rs refuses is jsonschema's to judge
        return slow

    def check(instance: Any) -> bool:
        try:
            return bool(fast.is_valid(instance))
        except Exception:  # noqa: BLE001 - a value jsonschema-rs cannot convert is jsonschema's to judge
            return slow(instance)

    return check


def sample_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    """Like validity_check, for values we made up: False, not an exception, where the schema cannot be evaluated."""
    valid = validity_check(schema)

    def check(instance: Any) -> bool:
        try:
            return valid(instance)
        except (RecursionError, ValueError, TypeError, LookupError):  # a schema the validator cannot evaluate
            return False

    return check


def _jsonschema_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    def check(instance: Any) -> bool:
        from jsonschema import Draft7Validator

        return bool(Draft7Validator(schema).is_valid(instance))

    return check
