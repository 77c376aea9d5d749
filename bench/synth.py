"""Write a deterministic synthetic AsyncAPI 2.6 document of N messages, as JSON, for the build-scale benchmark.

    python bench/synth.py N [-o FILE]      (stdout without -o)

The mix per pair of messages, scaled with N: one channel with a `{roomId}` parameter (a `$ref` to a shared
parameter), a subscribe operation whose message is a `oneOf` of the two (each payload requires `type` fixed to
its own `const`: a discriminated union), and on every other channel a publish operation with the first one.
Each message has a payload schema (an object with a `$ref` to a shared primitive, an inline enum, a nullable
string, an array of a nested object schema and a date-time) and one item schema: 2 schemas per message, plus every tenth
pair a parent with an AsyncAPI `discriminator` that both payloads extend through `allOf`. N = 1,000 gives 500
channels, 2,050 schemas and 2.1 MB of JSON indented by one space.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet")


def document(n: int) -> dict[str, Any]:
    """The synthetic document of n messages (n rounded up to an even number)."""
    pairs = (n + 1) // 2
    channels: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {
        "Identifier": {"type": "string", "format": "uuid", "description": "A resource identifier."},
        "Timestamp": {"type": "string", "format": "date-time", "description": "When it happened."},
    }
    for pair in range(pairs):
        names = [f"Event{2 * pair}", f"Event{2 * pair + 1}"]
        parent = f"Shape{pair}" if pair % 10 == 0 else None
        if parent:
            schemas[parent] = {"type": "object", "discriminator": "kind", "required": ["kind"],
                               "properties": {"kind": {"type": "string"}}}
        for name in names:
            messages[name] = _message(name)
            schemas[name + "Item"] = _item(name)
            payload = _payload(name)
            schemas[name + "Payload"] = {"allOf": [{"$ref": f"#/components/schemas/{parent}"}, payload]} if parent else payload
        channel: dict[str, Any] = {
            "description": f"Stream {pair} of room events: {' '.join(_WORDS[pair % 10:] + _WORDS[:pair % 10])}.",
            "parameters": {"roomId": {"$ref": "#/components/parameters/roomId"}},
            "subscribe": {"operationId": f"receiveStream{pair}", "summary": f"Events of stream {pair}",
                          "message": {"oneOf": [{"$ref": f"#/components/messages/{name}"} for name in names]}},
        }
        if pair % 2 == 0:
            channel["publish"] = {"operationId": f"sendStream{pair}", "summary": f"Send to stream {pair}",
                                  "message": {"$ref": f"#/components/messages/{names[0]}"}}
        channels[f"/rooms/{{roomId}}/stream{pair}"] = channel
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "Synthetic Scale", "version": f"1.0.{n}",
                 "description": f"A synthetic document of {2 * pairs} messages for build benchmarks."},
        "servers": {"main": {"url": "wss://example.com/realtime", "protocol": "wss"}},
        "channels": channels,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "parameters": {"roomId": {"description": "The room.", "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"}}},
        },
    }


def _message(name: str) -> dict[str, Any]:
    return {"name": name, "contentType": "application/json", "summary": f"Carries one {name.lower()}.",
            "payload": {"$ref": f"#/components/schemas/{name}Payload"}}


def _payload(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"Payload of {name}.",
        "required": ["type", "id", "items"],
        "properties": {
            "type": {"type": "string", "const": name.lower(), "description": "The message tag."},
            "id": {"$ref": "#/components/schemas/Identifier"},
            "sentAt": {"$ref": "#/components/schemas/Timestamp"},
            "status": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
            "priority": {"type": "integer", "minimum": 0, "maximum": 9, "default": 5},
            "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}Item"}, "maxItems": 100},
            "note": {"type": "string", "nullable": True, "maxLength": 500, "description": "Free text, or null."},
        },
    }


def _item(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"One item of {name}.",
        "required": ["sku", "quantity"],
        "properties": {
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "quantity": {"type": "integer", "minimum": 1},
            "price": {"type": "number", "exclusiveMinimum": 0},
            "unit": {"type": "string", "enum": ["piece", "kilogram", "litre"]},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of messages")
    parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    arguments = parser.parse_args()
    text = json.dumps(document(arguments.n), indent=1) + "\n"
    if arguments.output:
        arguments.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
