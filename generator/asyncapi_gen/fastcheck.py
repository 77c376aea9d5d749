"""Whether an instance is valid under a draft 7 JSON Schema, answered by jsonschema-rs when it is installed.

jsonschema-rs (Rust) says yes or no about a 1,000-message document in milliseconds where jsonschema's walk takes
over a second. It only gives the verdict: jsonschema stays the judge of what is wrong, so every diagnostic is
its. Formats are not checked, as jsonschema does not check them without a format checker. Whatever jsonschema-rs
cannot take (a schema it refuses to compile, an integer beyond 64 bits) is left to jsonschema.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import unquote


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


def model_check(defs: dict[str, Any], name: str) -> Callable[[Any], bool]:
    """sample_check for the model `name` of defs, compiled with only the definitions it reaches.

    jsonschema-rs compiles every definition it is given, where jsonschema resolves only what it meets: handing
    it all of a 2,000-schema document's defs once per message made the mock plan quadratic (a minute at 1,000
    messages).
    """
    return sample_check({"$ref": "#/$defs/" + _pointer_token(name), "$defs": _reachable(defs, name)})


_DEFS_PREFIX = "#/$defs/"


def _reachable(defs: dict[str, Any], name: str) -> dict[str, Any]:
    """The definitions `name` reaches through `#/$defs/...` refs; all of them where a ref takes another form."""
    seen: dict[str, Any] = {}
    waiting = [name]
    while waiting:
        current = waiting.pop()
        if current in seen or current not in defs:
            continue
        seen[current] = defs[current]
        for ref in _refs(defs[current]):
            if not ref.startswith(_DEFS_PREFIX):
                return defs  # a ref we do not follow here: let the validator see everything
            token = ref[len(_DEFS_PREFIX):].split("/", 1)[0]
            waiting.append(unquote(token).replace("~1", "/").replace("~0", "~"))
    return seen


def _refs(node: Any) -> Iterator[str]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _jsonschema_check(schema: dict[str, Any]) -> Callable[[Any], bool]:
    def check(instance: Any) -> bool:
        from jsonschema import Draft7Validator

        return bool(Draft7Validator(schema).is_valid(instance))

    return check
