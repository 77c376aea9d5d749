"""names.py: every Python name made from spec text is an identifier, never a keyword, and unique where it must be."""

from __future__ import annotations

import keyword

import pytest
from asyncapi_gen.names import RESERVED, NameTable, pascal_name, snake_name, words
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.parametrize(("text", "expected"), [
    ("sendUserAudio", "send_user_audio"),
    ("SessionState", "session_state"),
    ("/session/data", "session_data"),
    ("HTTPServer", "http_server"),
    ("user-id", "user_id"),
    ("isFinal", "is_final"),
])
def test_snake_name(text: str, expected: str) -> None:
    assert snake_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("session state", "SessionState"),
    ("sendUserAudio", "SendUserAudio"),
    ("/session/data", "SessionData"),
    ("HTTPServer", "HTTPServer"),
])
def test_pascal_name(text: str, expected: str) -> None:
    assert pascal_name(text) == expected


@pytest.mark.parametrize("word", ["class", "import", "None", "True", "async", "await", "lambda", "from"])
def test_keywords_get_a_trailing_underscore(word: str) -> None:
    name = snake_name(word)
    assert name.isidentifier() and not keyword.iskeyword(name)
    assert name.rstrip("_") == word.lower()


@pytest.mark.parametrize("word", ["match", "case", "type"])
def test_soft_keywords_are_kept_as_the_valid_names_they_are(word: str) -> None:
    # Soft keywords are identifiers everywhere; renaming them would make the output depend on the Python version
    # that runs the generator (`type` became a soft keyword in 3.12).
    assert snake_name(word) == word
    assert pascal_name(word) == word.capitalize()


@pytest.mark.parametrize("word", sorted(RESERVED))
def test_names_the_generated_modules_use_are_avoided(word: str) -> None:
    assert pascal_name(word) != word


@pytest.mark.parametrize("text", ["3d", "2024-11-06", "1st place", "0"])
def test_leading_digits_are_prefixed(text: str) -> None:
    for name in (snake_name(text), pascal_name(text)):
        assert name.isidentifier() and not name[0].isdigit()


def test_unicode_is_folded_to_ascii() -> None:
    assert snake_name("Café Événement") == "cafe_evenement"
    assert pascal_name("naïve façade") == "NaiveFacade"


@pytest.mark.parametrize("text", ["", "   ", "!!!", "日本語", "🎉", "\x00\n"])
def test_text_without_letters_falls_back(text: str) -> None:
    assert snake_name(text) == "unnamed"
    assert pascal_name(text) == "Unnamed"
    assert snake_name(text, "channel") == "channel"


def test_words_split_on_case_changes_and_keep_digits() -> None:
    assert words("getHTTPResponseCode2xx") == ["get", "HTTP", "Response", "Code2xx"]


def test_name_table_numbers_collisions() -> None:
    table = NameTable()
    assert [table.claim("foo"), table.claim("foo"), table.claim("foo")] == ["foo", "foo_2", "foo_3"]
    classes = NameTable()
    assert [classes.claim("Event"), classes.claim("Event")] == ["Event", "Event2"]


def test_name_table_respects_taken_names_and_generated_suffixes() -> None:
    table = NameTable(frozenset({"close"}))
    assert table.claim("close") == "close_2"
    assert table.claim("close_2") == "close_2_2"
    assert table.claim("close") == "close_3"


def test_distinct_spec_names_that_fold_together_get_distinct_python_names() -> None:
    table = NameTable()
    claimed = {table.claim(snake_name(text)) for text in ("user-id", "user_id", "userId", "User ID")}
    assert len(claimed) == 4


@given(st.text())
def test_snake_name_is_always_a_safe_identifier(text: str) -> None:
    name = snake_name(text)
    assert name.isidentifier()
    assert not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    assert name.isascii()


@given(st.text())
def test_pascal_name_is_always_a_safe_identifier(text: str) -> None:
    name = pascal_name(text)
    assert name.isidentifier()
    assert not keyword.iskeyword(name) and not keyword.issoftkeyword(name)
    assert name.isascii() and name not in RESERVED


@given(st.lists(st.text(max_size=8), max_size=20))
def test_name_table_never_hands_out_a_name_twice(texts: list[str]) -> None:
    table = NameTable()
    claimed = [table.claim(snake_name(t)) for t in texts]
    assert len(set(claimed)) == len(claimed)
