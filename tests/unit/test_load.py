"""load.py: YAML/JSON into plain data with 1-based line:col for every node, safely and within limits."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from asyncapi_gen import load
from asyncapi_gen.load import LoadError, SourceFile, load_file, parse_text
from asyncapi_gen.refs import resolve_document
from asyncapi_gen.validate import validate_document

NESTED = """\
asyncapi: 2.6.0
info:
  title: Nested
  version: '1.0.0'
channels:
  /session/data:
    publish:
      message:
        payload:
          type: object
          properties:
            items:
              type: array
              items:
                - first
                - {inline: true}
"""


def test_positions_of_nested_nodes_are_one_based_line_and_column() -> None:
    _, positions = parse_text(NESTED, "spec.yaml")
    assert positions[""] == (1, 1)
    assert positions["/asyncapi"] == (1, 11)
    assert positions["/info/title"] == (3, 10)
    assert positions["/channels/~1session~1data/publish/message/payload/type"] == (10, 17)
    assert positions["/channels/~1session~1data/publish/message/payload/properties/items/items/0"] == (15, 19)
    assert positions["/channels/~1session~1data/publish/message/payload/properties/items/items/1/inline"] == (16, 28)


def test_locate_falls_back_to_the_nearest_located_ancestor(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(NESTED, encoding="utf-8")
    source = load_file(spec)
    assert source.locate("/info/title/not/there") == (3, 10)
    assert source.locate("/nowhere") == (1, 1)


def test_yaml_syntax_error_is_a_load_error_at_the_offending_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("asyncapi: 2.6.0\ninfo:\n  title: [unclosed\n  version: '1'\nchannels: {}\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_file(spec, "spec.yaml")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "yaml-syntax"
    assert diagnostic.file == "spec.yaml"
    assert diagnostic.line in (3, 4, 5)  # PyYAML reports where the unclosed flow sequence is noticed
    assert diagnostic.render().startswith(f"spec.yaml:{diagnostic.line}:{diagnostic.col}: error[yaml-syntax]: ")


def test_yaml_bad_indentation_is_located_on_its_line(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("asyncapi: 2.6.0\ninfo:\n  title: T\n   version: '1'\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    assert caught.value.diagnostic.code == "yaml-syntax"
    assert caught.value.diagnostic.line == 4


def test_json_indented_with_tabs_is_parsed(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{\n\t"asyncapi": "2.6.0",\n\t"info": {\n\t\t"title": "T",\n\t\t"version": "1"\n\t}\n}\n')
    source = load_file(spec)
    assert source.data == {"asyncapi": "2.6.0", "info": {"title": "T", "version": "1"}}


def test_json_indented_with_tabs_keeps_positions_for_diagnostics(tmp_path: Path) -> None:
    # The design promises line:col for every node; tab-indented JSON (common from editors) must not lose them.
    spec = tmp_path / "spec.json"
    spec.write_text('{\n\t"asyncapi": "2.6.0",\n\t"info": {\n\t\t"title": 3,\n\t\t"version": "1"\n\t},\n'
                    '\t"channels": {}\n}\n')
    diagnostics = validate_document(load_file(spec))
    assert [d.code for d in diagnostics] == ["wrong-type"]
    assert (diagnostics[0].line, diagnostics[0].col) == (4, 12)


def test_json_syntax_error_is_located(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{\n  "asyncapi": "2.6.0",\n  "info": {"title": "T" "version": "1"}\n}\n')
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "json-syntax"
    assert (diagnostic.line, diagnostic.col) == (3, 25)


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file_is_refused(tmp_path: Path, text: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    assert caught.value.diagnostic.code == "empty-document"


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes("info:\n  title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    assert caught.value.diagnostic.code == "file-encoding"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"\xef\xbb\xbfasyncapi: 2.6.0\n")
    assert load_file(spec).data == {"asyncapi": "2.6.0"}


def test_missing_file_is_a_file_not_found_error_with_no_position(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_file(tmp_path / "absent.yaml", "spec/absent.yaml")
    diagnostic = caught.value.diagnostic
    assert diagnostic.code == "file-not-found"
    assert (diagnostic.line, diagnostic.col, diagnostic.located) == (0, 0, False)
    assert diagnostic.render() == "spec/absent.yaml: error[file-not-found]: no such file"


def test_a_folder_is_not_a_spec_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        load_file(tmp_path, "spec")
    assert caught.value.diagnostic.render() == "spec: error[file-unreadable]: is a directory, not a file"


def test_an_unreadable_file_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("asyncapi: 2.6.0\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)  # root reads any file: the refusal is simulated
    with pytest.raises(LoadError) as caught:
        load_file(spec, "spec.yaml")
    assert caught.value.diagnostic.render() == "spec.yaml: error[file-unreadable]: cannot read file: Permission denied"


def test_a_members_key_position_is_kept_beside_its_values() -> None:
    source = SourceFile(Path("x.yaml"), "x.yaml", {}, "", {"/info/colour": (5, 11)}, {"/info/colour": (5, 3)})
    assert source.locate("/info/colour") == (5, 11)
    assert source.locate("/info/colour", key=True) == (5, 3)
    assert source.diagnostic("unknown-field", "m", "/info/colour", at_key=True).col == 3


def test_on_key_stays_the_word_on() -> None:
    data, _ = parse_text("on: 1\noff: 2\nyes: 3\n", "x")
    assert data == {"on": 1, "off": 2, "yes": 3}


def test_keys_keep_their_text_under_yaml_1_1_rules() -> None:
    # Same reason as `on:`: a key is a name. `null` must not become "None" (and collide with `~`), nor 0x1F "31".
    data, _ = parse_text("null: 1\n0x1F: 2\n017: 3\n", "x")
    assert list(data) == ["null", "0x1F", "017"]


def test_yaml_boolean_words_in_values_stay_strings_as_in_yaml_1_2() -> None:
    # AsyncAPI tooling (js-yaml, YAML 1.2 core schema) reads `enum: [on, off]` as strings; so must we, or the
    # generated enum accepts True and refuses "on".
    data, _ = parse_text("enum: [on, off, yes, no]\nflag: true\n", "x")
    assert data == {"enum": ["on", "off", "yes", "no"], "flag": True}


def test_unquoted_dates_stay_strings() -> None:
    data, _ = parse_text("version: 2024-11-06\nat: 2024-11-06T10:00:00Z\nn: 3\nf: 1.5\n", "x")
    assert data == {"version": "2024-11-06", "at": "2024-11-06T10:00:00Z", "n": 3, "f": 1.5}


def test_python_tags_are_plain_data_never_constructed() -> None:
    data, _ = parse_text("x: !!python/object/apply:os.system ['echo pwned']\ny: !!python/name:os.system ''\n", "x")
    assert data == {"x": ["echo pwned"], "y": ""}


BILLION_LAUGHS = """\
asyncapi: 2.6.0
info:
  title: Bomb
  version: '1.0.0'
  x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  x-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  x-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  x-d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  x-e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  x-f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  x-g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  x-h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  x-i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
channels: {}
"""


def schema_bomb(levels: int = 9) -> str:
    """Nested schemas where each level names the one below nine times: 9**levels properties once expanded."""
    lines = ["asyncapi: 2.6.0", "info: {title: Bomb, version: '1.0.0'}", "channels:", "  c:", "    publish:",
             "      message:", f"        payload: {{$ref: '#/components/schemas/L{levels - 1}'}}",
             "components:", "  schemas:",
             "    L0: &l0 {type: object, properties: {p: {type: string}}}"]
    for level in range(1, levels):
        members = ", ".join(f"p{i}: *l{level - 1}" for i in range(9))
        lines.append(f"    L{level}: &l{level} {{type: object, properties: {{{members}}}}}")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(BILLION_LAUGHS)
    started = time.monotonic()
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    assert time.monotonic() - started < 2
    assert caught.value.diagnostic.code == "file-too-large"


def test_alias_bomb_in_schemas_is_refused_by_the_loader(tmp_path: Path) -> None:
    # Loading shares aliased nodes, but validation and the model stage walk the expanded tree (9**9 schemas):
    # the loader is the one place that can see the expansion and must refuse it.
    spec = tmp_path / "bomb.yaml"
    spec.write_text(schema_bomb())
    started = time.monotonic()
    with pytest.raises(LoadError) as caught:
        source = load_file(spec)
        resolve_document(source)
    assert time.monotonic() - started < 2
    assert caught.value.diagnostic.code == "file-too-large"


def test_small_aliases_are_fine() -> None:
    data, _ = parse_text("a: &x {k: 1}\nb: *x\nc: *x\n", "x")
    assert data == {"a": {"k": 1}, "b": {"k": 1}, "c": {"k": 1}}


def test_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_FILE_BYTES", 1024)
    spec = tmp_path / "big.yaml"
    spec.write_text("asyncapi: 2.6.0\n" + "# padding\n" * 200)
    with pytest.raises(LoadError) as caught:
        load_file(spec)
    assert caught.value.diagnostic.code == "file-too-large"


def test_too_many_nodes_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "MAX_NODES", 50)
    with pytest.raises(LoadError) as caught:
        parse_text("items: [" + ", ".join(str(i) for i in range(100)) + "]\n", "x")
    assert caught.value.diagnostic.code == "file-too-large"


def test_non_scalar_key_is_located() -> None:
    with pytest.raises(LoadError) as caught:
        parse_text("a: 1\n? [x, y]\n: 2\n", "x")
    assert caught.value.diagnostic.code == "yaml-key"
    assert caught.value.diagnostic.line == 2


def test_sha256_is_of_the_raw_bytes(tmp_path: Path) -> None:
    import hashlib

    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"asyncapi: 2.6.0\n")
    assert load_file(spec).sha256 == hashlib.sha256(b"asyncapi: 2.6.0\n").hexdigest()


def test_json_surrogate_pair_escapes_decode_to_one_character() -> None:
    # Python's json.dump (ensure_ascii) writes U+1F389 as "\ud83c\udf89"; lone surrogates cannot be written as UTF-8.
    text = '{"title": "Party \\ud83c\\udf89"}'
    data, _ = parse_text(text, "spec.json")
    assert data == {"title": "Party 🎉"}


@pytest.mark.parametrize("char", ["\x7f", "\x80"])
def test_valid_json_with_raw_characters_yaml_refuses_is_parsed(tmp_path: Path, char: str) -> None:
    # JSON allows any non-control character raw in a string; PyYAML's reader refuses these with a ReaderError.
    spec = tmp_path / "spec.json"
    spec.write_text('{"asyncapi": "2.6.0", "info": {"title": "a' + char + 'b", "version": "1"}}', encoding="utf-8")
    assert load_file(spec).data["info"]["title"] == f"a{char}b"


JSON_NESTED = (
    '{\r\n  "asyncapi": "2.6.0",\r\n  "info": {"title": "J", "version": "1"},\r\n'
    '  "channels": {\r\n    "/a/b~c": {"publish": {"message": {"payload": {"type": "object",\r\n'
    '      "enum": [1, -2.5e3, true, null, {"x\\u00e9": "\\"]"}]}}}}\r\n  },\r\n'
    '  "dup": {"first": 1},\r\n  "dup": {"second": 2}\r\n}\r\n'
)


def test_json_positions_name_the_line_and_column_of_every_node_and_key() -> None:
    data, positions = parse_text(JSON_NESTED, "spec.json")
    payload = "/channels/~1a~1b~0c/publish/message/payload"
    assert data["dup"] == {"second": 2}
    assert data["channels"]["/a/b~c"]["publish"]["message"]["payload"]["enum"][1] == -2500.0  # JSON's number
    assert positions[""] == (1, 1)
    assert positions["/asyncapi"] == (2, 15)
    assert positions["/info/title"] == (3, 21)
    assert positions[payload] == (5, 51)
    assert positions[payload + "/enum"] == (6, 15)
    assert positions[payload + "/enum/1"] == (6, 19)
    assert positions[payload + "/enum/4/xé"] == (6, 51)
    assert positions["/dup"] == (8, 10)  # a repeated key keeps its first position, with its last value
    assert positions["/dup/first"] == (8, 20)
    assert positions["/dup/second"] == (9, 21)


def test_json_positions_are_those_the_yaml_composer_gives_the_same_text() -> None:
    # JSON is parsed by json.loads and scanned for positions on demand; a position reads as it did through YAML.
    import yaml

    # (PyYAML reads `-2.5e3` as a word, YAML 1.1 floats need a signed exponent: JSON's reading is the right one.)
    text = JSON_NESTED.replace('"dup": {"second": 2}', '"more": [[], {}, [{"a": [0]}]]').replace("e3", "e+3")
    data, positions = parse_text(text, "x")
    composed = load._Builder("x")
    assert composed.build(yaml.compose(text, Loader=yaml.SafeLoader), "") == data
    assert dict(positions) == composed.positions


def test_json_key_positions_locate_unknown_fields_at_the_key(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text('{\n  "asyncapi": "2.6.0",\n  "info": {"title": "T", "version": "1"},\n'
                    '  "channels": {},\n    "chanels": {}\n}\n')
    diagnostics = validate_document(load_file(spec, "spec.json"))
    assert diagnostics[0].render().startswith("spec.json:5:5: error[unknown-field]: unknown field 'chanels'")


def test_json_that_is_only_yaml_flow_style_is_read_as_yaml_with_positions() -> None:
    data, positions = parse_text("{asyncapi: 2.6.0,\n info: {title: T}}\n", "x")
    assert data == {"asyncapi": "2.6.0", "info": {"title": "T"}}
    assert positions["/info/title"] == (2, 16)


def test_json_nan_is_not_json_and_reads_as_the_word() -> None:
    data, _ = parse_text('{"x": NaN}', "x")
    assert data == {"x": "NaN"}


def test_yaml_positions_from_libyaml_match_pure_python_pyyaml() -> None:
    import yaml

    text = NESTED + "unicode: \"é€😀\"\r\nafter_crlf: [a, {b: c}]\rafter_cr: 1\n"
    data, positions = parse_text(text, "x")
    composed = load._Builder("x")
    assert composed.build(yaml.compose(text, Loader=yaml.SafeLoader), "") == data
    assert dict(positions) == composed.positions
    assert positions["/after_cr"] == (19, 11)


def test_yaml_libyaml_refusal_reports_pure_python_pyyaml_message() -> None:
    # The diagnostic a user reads does not depend on whether libyaml is installed.
    with pytest.raises(LoadError) as caught:
        parse_text("a: [1, 2\nb: 3\n", "spec.yaml")
    assert caught.value.diagnostic.render().startswith("spec.yaml:2:2: error[yaml-syntax]: invalid YAML: expected ',' or ']'")
