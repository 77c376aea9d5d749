"""The format stage: ruff over a folder (`format_python`) and ruff started before its file exists (`FileFormat`)
give the same text, and a template bug is a `FormatError` with ruff's message, not a crash."""

from __future__ import annotations

import pytest
from asyncapi_gen.format import FileFormat, FormatError, format_python

PATH = "pkg/models.py"
UNTIDY = '''from typing import Annotated
import json
from pydantic import Field, BaseModel
from typing import Optional, List
from ._runtime.core.wire import WireModel

class Thing(WireModel):
    names: Optional[List[str]] = None
    size: Annotated[int, Field(ge=0)] = 0
'''


def test_a_file_formatted_later_reads_as_the_folder_formatted_it() -> None:
    whole = format_python({PATH: UNTIDY, "pkg/other.py": "import os\n"})[PATH]
    later = FileFormat(PATH)
    assert later.result(UNTIDY) == whole
    # What ruff did: unused imports gone, the rest sorted, Optional[List[str]] in today's syntax.
    assert "import json" not in whole and "BaseModel" not in whole
    assert "names: list[str] | None = None" in whole
    assert whole.index("from typing import Annotated") < whole.index("from pydantic import Field")


def test_code_ruff_cannot_parse_is_a_format_error_and_leaves_no_process() -> None:
    later = FileFormat(PATH)
    with pytest.raises(FormatError, match="ruff format failed"):
        later.result("class Broken(:\n")
    assert all(process.poll() is not None for process in (later._fix, later._format))


def test_closing_before_the_text_comes_ends_both_processes() -> None:
    later = FileFormat(PATH)
    later.close()
    later.close()  # twice is harmless: the build closes it in a finally after result() did
    assert all(process.poll() is not None for process in (later._fix, later._format))
