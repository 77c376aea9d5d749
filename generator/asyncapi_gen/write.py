"""Write a generated tree atomically, or compare it with what is on disk (for `check`)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asyncapi_gen.provenance import MANIFEST as MARKER  # its presence says the folder is ours to replace
from asyncapi_gen.provenance import files_on_disk


def write_tree(files: dict[str, str], out: Path) -> None:
    """Replace out with exactly files: built in a sibling temp folder, then swapped in by rename.

    A failure at any point leaves the old out as it was. A non-empty out that we did not generate is refused:
    generated files never overwrite user code.
    """
    out = out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise WriteError(f"{out} exists and was not made by asyncapi-gen; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    os.chmod(staging, 0o777 & ~_umask())  # mkdtemp makes 0700; the output is an ordinary folder
    try:
        for path, text in sorted(files.items()):
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap(staging: Path, out: Path) -> None:
    if not out.exists():
        os.rename(staging, out)
        return
    backup = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, backup)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(backup, out)
        raise
    shutil.rmtree(backup, ignore_errors=True)


class WriteError(Exception):
    """The output folder cannot be written safely."""


@dataclass(frozen=True)
class TreeDifference:
    """How a folder on disk differs from the tree that would be generated."""

    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def is_current(self) -> bool:
        """True when the folder holds exactly the expected files and bytes."""
        return not (self.changed or self.missing or self.extra)


def compare_tree(files: dict[str, str], out: Path) -> TreeDifference:
    """Compare expected files with out, byte for byte; files other than ours count as extra."""
    on_disk = files_on_disk(out)
    changed = tuple(sorted(p for p in files if p in on_disk and (out / p).read_bytes() != files[p].encode("utf-8")))
    missing = tuple(sorted(p for p in files if p not in on_disk))
    extra = tuple(sorted(on_disk - set(files)))
    return TreeDifference(changed, missing, extra)



def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
