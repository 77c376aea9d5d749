"""validate.py: AsyncAPI version, structure (the official schemas), and the semantic checks schemas cannot do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from asyncapi_gen import validate
from asyncapi_gen.diagnostics import Severity
from asyncapi_gen.load import load_file
from asyncapi_gen.validate import validate_document
from jsonschema import Draft7Validator

from .conftest import RUNWAY_SPEC, SpecWriter

# The official schemas: `<v>-without-$id.json` of the npm package @asyncapi/specs 6.11.1 (Apache-2.0), vendored with
# the generator byte for byte under the name `<v>.json`, their LICENSE and NOTICE beside them.
OFFICIAL = Path(validate.__file__).resolve().parent / "schemas"


def diagnose(spec: Path) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.line, d.col, d.pointer) for d in validate_document(load_file(spec))]


def test_runway_spec_validates_clean() -> None:
    assert validate_document(load_file(RUNWAY_SPEC)) == []


def test_minimal_doc_validates_clean(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    assert validate_document(load_file(write_spec(minimal_doc))) == []


def test_missing_info_is_a_missing_field_naming_info(write_spec: SpecWriter) -> None:
    diagnostics = validate_document(load_file(write_spec("asyncapi: 2.6.0\nchannels: {}\n")))
    assert [d.code for d in diagnostics] == ["missing-field"]
    assert "'info'" in diagnostics[0].message
    assert diagnostics[0].severity is Severity.ERROR


def test_missing_asyncapi_field(write_spec: SpecWriter) -> None:
    diagnostics = validate_document(load_file(write_spec("info: {title: T, version: '1'}\nchannels: {}\n")))
    assert [d.code for d in diagnostics] == ["missing-field"]
    assert "asyncapi" in diagnostics[0].message


def test_channels_of_the_wrong_type_is_located(write_spec: SpecWriter) -> None:
    spec = write_spec("asyncapi: 2.6.0\ninfo:\n  title: T\n  version: '1'\nchannels: 5\n")
    assert diagnose(spec) == [("wrong-type", 5, 11, "/channels")]


def test_title_of_the_wrong_type_is_located(write_spec: SpecWriter) -> None:
    spec = write_spec("asyncapi: 2.6.0\ninfo:\n  version: '1'\n  title: 3\nchannels: {}\n")
    assert diagnose(spec) == [("wrong-type", 4, 10, "/info/title")]


def test_wrong_type_deep_in_a_3_0_document_is_located(write_spec: SpecWriter) -> None:
    spec = write_spec("asyncapi: 3.0.0\ninfo:\n  title: T\n  version: '1'\nchannels:\n  c:\n    address: 7\n")
    found = diagnose(spec)
    assert found and found[0][0] in ("wrong-type", "invalid-structure")
    assert found[0][1:3] == (7, 14)


@pytest.mark.parametrize("version", ["9.9.9", "1.2.0", "2.7.0", "3.1.0"])
def test_unknown_version_is_refused(write_spec: SpecWriter, version: str) -> None:
    spec = write_spec(f"asyncapi: {version}\ninfo: {{title: T, version: '1'}}\nchannels: {{}}\n")
    assert diagnose(spec) == [("unknown-version", 1, 11, "/asyncapi")]


def test_unquoted_numeric_version_is_a_wrong_type_with_a_hint(write_spec: SpecWriter) -> None:
    diagnostics = validate_document(load_file(write_spec("asyncapi: 2.6\ninfo: {title: T, version: '1'}\n")))
    assert [d.code for d in diagnostics] == ["wrong-type"]
    assert "quote" in diagnostics[0].hint


def test_top_level_list_is_a_wrong_type(write_spec: SpecWriter) -> None:
    assert [c for c, *_ in diagnose(write_spec("- a\n- b\n"))] == ["wrong-type"]


def test_unknown_field_is_named_and_located(write_spec: SpecWriter) -> None:
    spec = write_spec("asyncapi: 2.6.0\ninfo:\n  title: T\n  version: '1'\n  colour: red\nchannels: {}\n")
    diagnostics = validate_document(load_file(spec))
    assert [(d.code, d.line, d.pointer) for d in diagnostics] == [("unknown-field", 5, "/info/colour")]
    assert "'colour'" in diagnostics[0].message


def test_extension_fields_are_allowed(write_spec: SpecWriter, minimal_doc: dict[str, Any]) -> None:
    minimal_doc["info"]["x-anything"] = {"nested": [1, 2]}
    assert diagnose(write_spec(minimal_doc)) == []


def test_duplicate_operation_id_is_reported_at_the_second_use(write_spec: SpecWriter) -> None:
    spec = write_spec("""\
asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a:
    publish:
      operationId: same
  b:
    subscribe:
      operationId: same
""")
    diagnostics = [d for d in validate_document(load_file(spec)) if d.code == "duplicate-operation-id"]
    assert [(d.line, d.pointer) for d in diagnostics] == [(9, "/channels/b/subscribe/operationId")]
    assert "/channels/a/publish/operationId" in diagnostics[0].message


def test_parameter_ref_in_2_4_is_not_rejected(write_spec: SpecWriter) -> None:
    # The official 2.0-2.5 schemas reject `parameters: {x: {$ref}}` (oneOf matches twice): a known false negative.
    spec = write_spec("""\
asyncapi: 2.4.0
info: {title: T, version: '1'}
channels:
  rooms/{roomId}:
    parameters:
      roomId:
        $ref: '#/components/parameters/roomId'
    publish:
      message:
        payload: {type: string}
components:
  parameters:
    roomId:
      schema: {type: string}
""")
    assert diagnose(spec) == []
    official = Draft7Validator(json.loads((OFFICIAL / "2.4.0.json").read_text()))
    assert not official.is_valid(load_file(spec).data)  # the false negative we step around is real


def test_many_errors_are_capped(write_spec: SpecWriter) -> None:
    channels = {f"c{i}": {"publish": {"operationId": i}} for i in range(40)}
    doc = {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": channels}
    diagnostics = validate_document(load_file(write_spec(doc)))
    assert 1 <= len(diagnostics) <= 20
    assert all(d.code == "wrong-type" for d in diagnostics)


DOCS = {
    "minimal": ("2.6.0", {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": {}}),
    "no-info": ("2.6.0", {"asyncapi": "2.6.0", "channels": {}}),
    "title-int": ("2.6.0", {"asyncapi": "2.6.0", "info": {"title": 3, "version": "1"}, "channels": {}}),
    "channels-int": ("2.6.0", {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": 5}),
    "bad-server": ("2.6.0", {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": {},
                             "servers": {"s": {"url": "ws://x"}}}),
    "3.0-ok": ("3.0.0", {"asyncapi": "3.0.0", "info": {"title": "T", "version": "1"},
                         "channels": {"c": {"address": "c", "messages": {"m": {"payload": {"type": "string"}}}}},
                         "operations": {"o": {"action": "send", "channel": {"$ref": "#/channels/c"}}}}),
    "3.0-no-action": ("3.0.0", {"asyncapi": "3.0.0", "info": {"title": "T", "version": "1"},
                                "channels": {"c": {"address": "c"}},
                                "operations": {"o": {"channel": {"$ref": "#/channels/c"}}}}),
}


@pytest.mark.parametrize("name", sorted(DOCS))
def test_verdict_agrees_with_the_official_schema(write_spec: SpecWriter, name: str) -> None:
    version, doc = DOCS[name]
    official = Draft7Validator(json.loads((OFFICIAL / f"{version}.json").read_text()))
    ours = validate_document(load_file(write_spec(doc)))
    assert (ours == []) == official.is_valid(doc), [d.render() for d in ours]


def test_runway_spec_is_valid_under_the_official_schema() -> None:
    official = Draft7Validator(json.loads((OFFICIAL / "2.6.0.json").read_text()))
    assert official.is_valid(load_file(RUNWAY_SPEC).data)


def codes_and_severities(spec: Path, *, lenient: bool = False) -> list[tuple[str, str]]:
    return [(d.code, d.severity.value) for d in validate_document(load_file(spec), lenient=lenient)]


OPERATION_THROUGH_CHANNEL_REF = """\
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  echo: {$ref: '#/components/channels/echo'}
  remote: {$ref: 'channels.yaml#/remote'}
operations:
  sendEcho:
    action: send
    channel: {$ref: '#/channels/echo'}
    messages: [{$ref: '#/channels/echo/messages/echo'}]
  receiveRemote:
    action: receive
    channel: {$ref: '#/channels/remote'}
    messages: [{$ref: '#/channels/remote/messages/ping'}]
components:
  channels:
    echo:
      address: echo
      messages:
        echo: {$ref: '#/components/messages/echo'}
        other: {payload: {type: integer}}
  messages:
    echo: {payload: {type: string}}
    stray: {payload: {type: boolean}}
"""


def test_operation_messages_named_through_the_channels_ref_belong_to_it(write_spec: SpecWriter) -> None:
    write_spec("remote:\n  address: remote\n  messages:\n    ping: {payload: {type: string}}\n", "channels.yaml")
    assert diagnose(write_spec(OPERATION_THROUGH_CHANNEL_REF)) == []


def test_a_message_of_another_channel_is_still_refused(write_spec: SpecWriter) -> None:
    write_spec("remote:\n  address: remote\n  messages:\n    ping: {payload: {type: string}}\n", "channels.yaml")
    text = OPERATION_THROUGH_CHANNEL_REF.replace("[{$ref: '#/channels/remote/messages/ping'}]",
                                                 "[{$ref: '#/components/messages/stray'}]")
    assert diagnose(write_spec(text)) == [("operation-message-not-in-channel", 14, 16,
                                           "/operations/receiveRemote/messages/0")]


@pytest.mark.parametrize("key", ["user signup", "événement", "a/b", "x:y"])
def test_a_component_key_outside_the_specs_alphabet_is_a_located_error(write_spec: SpecWriter,
                                                                       minimal_doc: dict[str, Any], key: str) -> None:
    minimal_doc["components"]["schemas"][key] = {"type": "string"}
    diagnostics = validate_document(load_file(write_spec(minimal_doc)))
    assert [(d.code, d.severity, d.pointer) for d in diagnostics] == [
        ("invalid-component-key", Severity.ERROR, "/components/schemas/" + key.replace("/", "~1"))]
    assert diagnostics[0].line > 1 and "rename" in diagnostics[0].hint


def test_component_keys_in_every_section_are_checked_and_valid_ones_pass(write_spec: SpecWriter,
                                                                         minimal_doc: dict[str, Any]) -> None:
    minimal_doc["components"]["schemas"]["Ok.name-1_x"] = {"type": "string"}
    minimal_doc["components"]["messageTraits"] = {"common headers": {"headers": {"type": "object"}}}
    minimal_doc["components"]["parameters"] = {"user id": {"schema": {"type": "string"}}}
    diagnostics = validate_document(load_file(write_spec(minimal_doc)))
    assert [d.pointer for d in diagnostics] == ["/components/messageTraits/common headers",
                                                "/components/parameters/user id"]


MISSPELT_CHANNELS = """\
asyncapi: 2.6.0
info: {title: T, version: '1'}
chanels:
  events:
    subscribe:
      message: {payload: {type: string}}
"""


def test_an_unknown_key_comes_before_the_missing_field_it_explains(write_spec: SpecWriter) -> None:
    diagnostics = validate_document(load_file(write_spec(MISSPELT_CHANNELS)))
    assert [(d.code, d.line, d.col) for d in diagnostics] == [("unknown-field", 3, 1), ("missing-field", 1, 1)]
    unknown, missing = diagnostics
    assert unknown.message == "unknown field 'chanels'" and unknown.hint == "did you mean 'channels'?"
    assert "'chanels' (line 3) looks like a misspelling" in missing.hint


def test_each_unknown_key_gets_its_own_did_you_mean(write_spec: SpecWriter) -> None:
    spec = write_spec("""\
asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    adress: c
    mesages:
      m: {payload: {type: string}}
operations:
  o:
    action: send
    chanel: {$ref: '#/channels/c'}
""")
    diagnostics = validate_document(load_file(spec))
    assert [(d.code, d.pointer, d.hint) for d in diagnostics] == [
        ("unknown-field", "/channels/c/adress", "did you mean 'address'?"),
        ("unknown-field", "/channels/c/mesages", "did you mean 'messages'?"),
        ("unknown-field", "/operations/o/chanel", "did you mean 'channel'?"),
        ("missing-field", "/operations/o", "'chanel' (line 11) looks like a misspelling of it"),
    ]


def test_an_unknown_key_far_from_any_field_lists_what_is_allowed(write_spec: SpecWriter) -> None:
    spec = write_spec("asyncapi: 2.6.0\ninfo:\n  title: T\n  version: '1'\n  colour: red\nchannels: {}\n")
    (diagnostic,) = validate_document(load_file(spec))
    assert diagnostic.hint.startswith("allowed here: ") and "termsOfService" in diagnostic.hint


def test_diagnostics_come_in_the_same_order_every_time(write_spec: SpecWriter) -> None:
    spec = write_spec(MISSPELT_CHANNELS.replace("title: T", "title: 3").replace("info:", "tags: [{}]\ninfo:"))
    first = validate_document(load_file(spec))
    assert len(first) >= 3 and first[0].code == "unknown-field"
    assert all(validate_document(load_file(spec)) == first for _ in range(3))


# Documents the official schema refuses that --lenient builds from: each diagnostic becomes a warning.
UNDERSTANDABLE = {
    "info-missing": "asyncapi: 2.6.0\nchannels:\n  c:\n    publish:\n      message: {payload: {type: string}}\n",
    "version-missing": ("asyncapi: 3.0.0\ninfo: {title: T}\nchannels:\n  c: {address: c}\n"),
    "examples-as-a-map": ("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  c:\n    publish:\n"
                          "      message:\n        payload: {type: string}\n        examples: {a: {payload: x}}\n"),
    "misspelt-key": "asyncapi: 2.6.0\ninfo: {title: T, version: '1', descripton: d}\nchannels: {}\n",
    "outdated-binding-field": ("asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels:\n  c:\n    address: c\n"
                               "    bindings:\n      googlepubsub: {topic: projects/p/topics/t}\n"),
    "duplicate-tag": ("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\ntags: [{name: a}, {name: a, description: d}]\n"
                      "channels: {}\n"),
    "repeated-tag": "asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\ntags: [{name: a}, {name: a}]\nchannels: {}\n",
    "component-key": ("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels: {}\n"
                      "components:\n  schemas:\n    a b: {type: string}\n"),
}


@pytest.mark.parametrize("name", sorted(UNDERSTANDABLE))
def test_lenient_turns_an_understandable_violation_into_a_warning(write_spec: SpecWriter, name: str) -> None:
    spec = write_spec(UNDERSTANDABLE[name])
    strict = codes_and_severities(spec)
    assert strict and all(severity == "error" for _, severity in strict), strict
    assert codes_and_severities(spec, lenient=True) == [(code, "warning") for code, _ in strict]


# Documents that say too little to build from: --lenient keeps an error (code, pointer) among the warnings.
MEANINGLESS = {
    "channels-missing": ("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\n", ("missing-field", "")),
    "channels-not-a-map": ("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels: [a]\n",
                           ("wrong-type", "/channels")),
    "ref-not-a-string": (("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  c:\n    publish:\n"
                          "      message: {$ref: null}\n"), ("wrong-type", "/channels/c/publish/message/$ref")),
    "operation-without-action": (("asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels:\n  c: {address: c}\n"
                                  "operations:\n  o: {channel: {$ref: '#/channels/c'}}\n"),
                                 ("missing-field", "/operations/o")),
    "malformed-payload-schema": (("asyncapi: 2.6.0\ninfo: {title: T, version: '1'}\nchannels:\n  c:\n    publish:\n"
                                  "      message:\n        payload: {type: object, additionalProperties: [x]}\n"),
                                 ("wrong-type", "/channels/c/publish/message/payload/additionalProperties")),
    "duplicate-operation-id": (("asyncapi: 2.6.0\ninfo: {title: T}\nchannels:\n  a:\n    publish: {operationId: same}\n"
                                "  b:\n    publish: {operationId: same}\n"),
                               ("duplicate-operation-id", "/channels/b/publish/operationId")),
    "message-not-in-channel": (OPERATION_THROUGH_CHANNEL_REF.replace("channels.yaml#/remote", "#/components/channels/echo")
                               .replace("#/channels/remote/messages/ping", "#/components/messages/stray")
                               .replace("version: '1'", "colour: red"),
                               ("operation-message-not-in-channel", "/operations/receiveRemote/messages/0")),
}


@pytest.mark.parametrize("name", sorted(MEANINGLESS))
def test_lenient_keeps_an_error_where_the_document_says_too_little(write_spec: SpecWriter, name: str) -> None:
    text, (code, pointer) = MEANINGLESS[name]
    diagnostics = validate_document(load_file(write_spec(text)), lenient=True)
    errors = [(d.code, d.pointer) for d in diagnostics if d.severity is Severity.ERROR]
    assert errors == [(code, pointer)], [d.render() for d in diagnostics]


def test_quick_verdict_agrees_with_jsonschema_with_or_without_jsonschema_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    # The structure check asks fastcheck first and runs jsonschema only on a document it calls invalid: both
    # verdicts, and the jsonschema-only fallback, must agree on valid and invalid documents alike.
    import builtins
    import json
    from importlib import resources

    from asyncapi_gen.fastcheck import validity_check

    schema = json.loads(resources.files("asyncapi_gen").joinpath("schemas", "2.6.0.json").read_text())
    valid = {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}, "channels": {"a": {}}}
    invalid = [{**valid, "chanels": {}}, {**valid, "info": {"title": 3, "version": "1"}}, {"asyncapi": "2.6.0"},
               {**valid, "channels": {"a": {"publish": {"message": {"payload": {"type": "object"}}, "x": 1}}}}]
    huge = {**valid, "info": {"title": "T", "version": "1", "x-big": 2**80}}  # beyond what jsonschema-rs takes
    fast = validity_check(schema)
    real_import = builtins.__import__

    def without_rs(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "jsonschema_rs":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_rs)
    slow = validity_check(schema)
    for check in (fast, slow):
        assert check(valid) and check(huge)
        assert not any(check(document) for document in invalid)
