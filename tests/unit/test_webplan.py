"""webplan.py and templates/web/: what the page offers, from the IR, and hostile spec text that stays data there."""

from __future__ import annotations

import copy
import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from asyncapi_gen.build import BuildResult
from asyncapi_gen.ir import Api
from asyncapi_gen.load import SourceFile
from asyncapi_gen.mockplan import plan_mock
from asyncapi_gen.normalize import normalize
from asyncapi_gen.refs import Resolver
from asyncapi_gen.render import render_package, script_json
from asyncapi_gen.webplan import label, plan_web

from .test_render import HOSTILE

# Markup and script that would run if any spec string reached the page as HTML or JS.
WEB_HOSTILE = ("</script><script>window.__pwned = 1</script> <img src=x onerror=\"window.__pwned = 2\"> "
               "\"' ` ${window.__pwned = 3} <!-- --> ]]> </title><b>bold</b> &amp; &lt; \u2028 "
               "{{ 7*7 }} \\u003c/script\\u003e")
WEB_FILES = ("web/index.html", "web/app.js", "web/style.css")


def api_of(doc: dict[str, Any], package: str = "web_pkg") -> Api:
    main = SourceFile(Path("/nonexistent/spec.yaml"), "spec.yaml", doc, hashlib.sha256(b"x").hexdigest())
    api, _ = normalize(Resolver(main, Path("/nonexistent")), package, package.replace("_", "-"))
    return api


def web_doc(text: str) -> dict[str, Any]:
    """A WebRTC document (video down, audio both ways) whose every name, description and enum value holds text."""
    return {
        "asyncapi": "2.6.0",
        "info": {"title": f"Title {text}", "version": f"1.0 {text}", "description": f"Desc {text}"},
        "servers": {"main": {"url": "wss://example.com", "protocol": "wss"}},
        "channels": {
            f"/audio {text}": {
                "publish": {"operationId": "sendAudio", "message": {"$ref": "#/components/messages/Audio"}},
                "subscribe": {"operationId": "receiveAudio", "message": {"$ref": "#/components/messages/Audio"}},
            },
            "/video": {"subscribe": {"operationId": "receiveVideo", "message": {
                "name": f"Video {text}", "contentType": "video/vp8", "payload": {"type": "string"}}}},
            f"/data {text}": {
                "publish": {"operationId": f"send {text}", "summary": f"sum {text}", "message": {"oneOf": [
                    {"name": f"control {text}", "title": f"Control {text}", "summary": f"cs {text}",
                     "payload": {"$ref": "#/components/schemas/Control"}},
                    {"name": f"say {text}", "title": f"Say {text}",
                     "payload": {"$ref": "#/components/schemas/Say"},
                     "examples": [{"payload": {"kind": "say", "text": f"hello {text}"}}]},
                ]}},
                "subscribe": {"operationId": f"receive {text}", "message": {"oneOf": [
                    {"name": f"state {text}", "title": f"State {text}",
                     "payload": {"$ref": "#/components/schemas/State"}},
                    {"name": f"error {text}", "title": f"Error {text}",
                     "payload": {"$ref": "#/components/schemas/Failure"}},
                ]}},
            },
        },
        "components": {
            "messages": {"Audio": {"name": f"Audio {text}", "contentType": "audio/opus",
                                   "payload": {"type": "string"}}},
            "schemas": {
                "Control": {"type": "object", "required": ["action"], "description": f"ctl {text}", "properties": {
                    "action": {"type": "string", "enum": [f"go {text}", f"stop {text}", "end_call"]}}},
                "Say": {"type": "object", "required": ["kind", "text"], "properties": {
                    "kind": {"type": "string", "const": "say"}, "text": {"type": "string"}}},
                "State": {"type": "object", "required": ["type", "state"], "properties": {
                    "type": {"type": "string", "const": f"state {text}"},
                    "state": {"type": "string", "enum": [f"opening {text}", "open", f"closed {text}"]}}},
                "Failure": {"type": "object", "required": ["type", "message"], "properties": {
                    "type": {"type": "string", "const": "failure"}, "message": {"type": "string"}}},
            },
        },
    }


class Markup(HTMLParser):
    """Every start tag of a document with its attributes, and the text of each <script> and the <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "title") else None
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "title":
            self.title += data


def page_of(files: dict[str, str], package: str) -> Markup:
    markup = Markup()
    markup.feed(files[f"{package}/web/index.html"])
    markup.close()
    return markup


# --- what the page offers -----------------------------------------------------------------------------------

def test_the_runway_page_offers_mute_unmute_and_end_session(runway_build: BuildResult) -> None:
    assert runway_build.api is not None
    plan = plan_web(runway_build.api, plan_mock(runway_build.api))
    assert [(s.address, s.kind, s.codec, s.direction) for s in plan.media] == [
        ("/session/audio", "audio", "opus", "sendrecv"), ("/session/video", "video", "vp8", "recvonly")]
    assert plan.data_channels == ("/session/data",)
    (control,) = plan.controls
    assert [(b.label, b.message, b.ends) for b in control.buttons] == [
        ("Mute", {"type": "mute"}, False), ("Unmute", {"type": "unmute"}, False),
        ("End session", {"type": "end_session"}, True)]
    assert control.editor is None
    assert [(r.name, r.fixed, r.role, r.text_field) for r in plan.received] == [
        ("Session State Event", {"type": "session_state"}, "state", None),
        ("Transcript Event", {"type": "transcript"}, "event", "text"),
        ("Session Error Event", {"type": "session_error"}, "error", "error")]
    assert plan.state is not None and plan.state.field == "state"
    assert plan.state.values == ("connecting", "connected", "speaking", "listening", "thinking", "ended")
    assert plan.session_endpoint == "/v1/realtime_sessions"


def test_a_message_needing_more_than_its_type_gets_an_editor_filled_with_its_example() -> None:
    api = api_of(web_doc("x"))
    plan = plan_web(api, plan_mock(api))
    control, say = plan.controls
    assert [b.label for b in control.buttons] == ["Go x", "Stop x", "End call"]
    assert [b.ends for b in control.buttons] == [False, True, True]  # "stop" and "end" ask to end
    assert say.buttons == () and say.editor is not None
    assert json.loads(say.editor) == {"kind": "say", "text": "hello x"}


def test_untyped_client_messages_get_an_editor() -> None:
    doc = web_doc("x")
    data = doc["channels"]["/data x"]["publish"]
    data["message"] = {"name": "free", "payload": True, "examples": [{"payload": {"any": [1, 2]}}]}
    api = api_of(doc)
    (control,) = plan_web(api, plan_mock(api)).controls
    assert control.buttons == () and control.editor is not None and json.loads(control.editor) == {"any": [1, 2]}


def test_labels_read_as_words() -> None:
    assert [label(v) for v in ("end_session", "startRecording", "MUTE", "hang-up", "x.y", "__")] == [
        "End session", "Start recording", "Mute", "Hang up", "X y", "__"]


def test_only_webrtc_packages_ship_the_page(runway_build: BuildResult) -> None:
    assert all(f"unit_runway/{name}" in runway_build.files for name in WEB_FILES)
    websocket = copy.deepcopy(web_doc("x"))
    for address in ("/audio x", "/video"):
        del websocket["channels"][address]
    files = render_package(api_of(websocket, "ws_pkg"), '"""models."""\n')
    assert not [path for path in files if "/web/" in path]


def test_the_page_s_files_start_with_the_provenance_line_in_their_own_comment_syntax(
        runway_build: BuildResult) -> None:
    files = runway_build.files
    assert files["unit_runway/web/index.html"].startswith("<!-- Generated by asyncapi-gen ")
    assert files["unit_runway/web/app.js"].startswith("/* Generated by asyncapi-gen ")
    assert files["unit_runway/web/style.css"].startswith("/* Generated by asyncapi-gen ")
    manifest = json.loads(files[".asyncapi-gen"])
    assert all(f"unit_runway/{name}" in manifest["files"] for name in WEB_FILES)  # `check` covers the page


# --- hostile text --------------------------------------------------------------------------------------------

def test_script_json_cannot_end_its_script_block() -> None:
    text = script_json({"a": "</script><!-- <script> & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"a": "</script><!-- <script> & \u2028"}


def test_hostile_spec_text_stays_data_in_the_page() -> None:
    text = f"{WEB_HOSTILE} {HOSTILE}"
    api = api_of(web_doc(text))
    files = render_package(api, '"""models."""\n')
    page = page_of(files, "web_pkg")
    # The page's own elements and nothing else: no img, no event handler, two scripts (data, and app.js).
    assert not [tag for tag, _ in page.tags if tag in ("img", "b", "iframe", "object", "embed")]
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts == [{"type": "application/json", "id": "api-description"}, {"src": "app.js"}]
    assert page.scripts[1] == ""
    # The data block parses back to exactly the plan, hostile strings included.
    assert json.loads(page.scripts[0]) == json.loads(json.dumps(plan_web(api, plan_mock(api)).as_json()))
    assert page.title == f"Title {text}"  # HTML-escaped in <title>, the parser gives back the very text
    # The JS and CSS hold no spec text at all: the same bytes for any spec, header line aside.
    plain = render_package(api_of(web_doc("x")), '"""models."""\n')
    for name in ("web/app.js", "web/style.css"):
        assert files[f"web_pkg/{name}"].split("\n", 1)[1] == plain[f"web_pkg/{name}"].split("\n", 1)[1]


def test_a_hostile_spec_file_name_cannot_end_the_header_comment() -> None:
    api = api_of(web_doc("x"))
    from dataclasses import replace

    files = render_package(replace(api, spec_file="a --> <script>x</script> */ b.yaml"), '"""models."""\n')
    first_html = files["web_pkg/web/index.html"].split("\n", 1)[0]
    assert first_html.startswith("<!-- ") and first_html.endswith(" -->") and "--" not in first_html[4:-3]
    first_js = files["web_pkg/web/app.js"].split("\n", 1)[0]
    assert first_js.startswith("/* ") and first_js.endswith(" */") and "*/" not in first_js[3:-3]
