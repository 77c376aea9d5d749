"""write.py: atomic replacement of an output folder, refusal to clobber user folders, and tree comparison."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest
from asyncapi_gen import write
from asyncapi_gen.provenance import MANIFEST
from asyncapi_gen.write import WriteError, compare_tree, write_tree

from .support import tree_bytes

OLD = {MANIFEST: "{}\n", "pkg/__init__.py": "OLD = 1\n", "pkg/models.py": "old models\n", "README.md": "old\n"}
NEW = {MANIFEST: "{}\n", "pkg/__init__.py": "NEW = 2\n", "pkg/client.py": "new client\n", "README.md": "new\n",
       "pkg/_runtime/a.py": "a\n", "pkg/_runtime/b.py": "b\n"}


def leftovers(parent: Path, out: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p != out)


def test_write_creates_exactly_the_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(NEW, out)
    assert tree_bytes(out) == {path: text.encode() for path, text in NEW.items()}
    assert leftovers(tmp_path, out) == []


def test_write_replaces_a_generated_folder_and_drops_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(OLD, out)
    write_tree(NEW, out)
    assert tree_bytes(out) == {path: text.encode() for path, text in NEW.items()}
    assert not (out / "pkg" / "models.py").exists()
    assert leftovers(tmp_path, out) == []


def test_write_uses_lf_line_endings_and_utf8(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree({MANIFEST: "", "a.py": "x = 'é'\ny = 2\n"}, out)
    assert (out / "a.py").read_bytes() == "x = 'é'\ny = 2\n".encode()


@pytest.mark.parametrize("fail_at", [1, 3, 6])
def test_failed_write_midway_leaves_the_old_folder_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              fail_at: int) -> None:
    out = tmp_path / "out"
    write_tree(OLD, out)
    before = tree_bytes(out)
    real_open = builtins.open
    calls = 0

    def failing_open(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        nonlocal calls
        if "w" in mode:
            calls += 1
            if calls == fail_at:
                raise OSError(28, "No space left on device")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing_open)
    with pytest.raises(OSError):
        write_tree(NEW, out)
    monkeypatch.undo()
    assert calls == fail_at
    assert tree_bytes(out) == before
    assert leftovers(tmp_path, out) == []


@pytest.mark.parametrize("fail_at", [1, 2])
def test_failed_rename_leaves_the_old_folder_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       fail_at: int) -> None:
    out = tmp_path / "out"
    write_tree(OLD, out)
    before = tree_bytes(out)
    real_rename = os.rename
    calls = 0

    def failing_rename(src: object, dst: object, *args: object, **kwargs: object) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise OSError(18, "Invalid cross-device link")
        real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(write.os, "rename", failing_rename)
    with pytest.raises(OSError):
        write_tree(NEW, out)
    monkeypatch.undo()
    assert tree_bytes(out) == before
    assert leftovers(tmp_path, out) == []


def test_keyboard_interrupt_during_write_leaves_no_temp_folder(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    write_tree(OLD, out)
    before = tree_bytes(out)
    real_open = builtins.open

    def interrupted(file: object, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and str(file).endswith("client.py"):
            raise KeyboardInterrupt
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_tree(NEW, out)
    monkeypatch.undo()
    assert tree_bytes(out) == before
    assert leftovers(tmp_path, out) == []


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "src"
    out.mkdir()
    (out / "main.py").write_text("user code\n")
    with pytest.raises(WriteError):
        write_tree(NEW, out)
    assert tree_bytes(out) == {"main.py": b"user code\n"}
    assert leftovers(tmp_path, out) == []


def test_an_empty_existing_folder_is_fine(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    write_tree(NEW, out)
    assert (out / MANIFEST).is_file()


def test_output_under_missing_parents_is_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "out"
    write_tree(NEW, out)
    assert (out / "pkg" / "client.py").read_text() == "new client\n"


def test_compare_tree_reports_changed_missing_and_extra(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(NEW, out)
    assert compare_tree(NEW, out).is_current
    (out / "pkg" / "client.py").write_text("edited\n")
    (out / "pkg" / "_runtime" / "b.py").unlink()
    (out / "pkg" / "notes.txt").write_text("mine\n")
    difference = compare_tree(NEW, out)
    assert difference.changed == ("pkg/client.py",)
    assert difference.missing == ("pkg/_runtime/b.py",)
    assert difference.extra == ("pkg/notes.txt",)
    assert not difference.is_current


def test_compare_tree_ignores_build_debris(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(NEW, out)
    (out / "pkg" / "__pycache__").mkdir()
    (out / "pkg" / "__pycache__" / "client.cpython-311.pyc").write_bytes(b"\0")
    (out / "x.egg-info").mkdir()
    (out / "x.egg-info" / "PKG-INFO").write_text("x")
    assert compare_tree(NEW, out).is_current


def test_compare_tree_of_a_missing_folder_is_all_missing(tmp_path: Path) -> None:
    difference = compare_tree(NEW, tmp_path / "nothing")
    assert difference.missing == tuple(sorted(NEW)) and not difference.changed and not difference.extra


def test_compare_tree_sees_a_line_ending_change(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(NEW, out)
    (out / "README.md").write_bytes(b"new\r\n")
    assert compare_tree(NEW, out).changed == ("README.md",)
