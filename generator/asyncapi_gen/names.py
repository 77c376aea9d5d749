"""Python names made from spec strings: made once, here, and stored in the IR; nothing else invents names."""

from __future__ import annotations

import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
# Names a generated module defines or imports itself; a spec name equal to one of these would shadow it.
# (Including what datamodel-code-generator imports into models.py: a schema of that name would be renamed by it.)
RESERVED = frozenset({
    "Any", "Annotated", "BaseModel", "Field", "Literal", "RootModel", "TypeAdapter", "annotations", "ConfigDict",
    "AwareDatetime", "NaiveDatetime", "UUID", "UUID1", "UUID3", "UUID4", "UUID5", "Enum", "IntEnum", "StrEnum",
    "Decimal", "AnyUrl", "AnyHttpUrl", "HttpUrl", "EmailStr", "IPvAnyAddress", "IPv4Address", "IPv6Address",
    "Base64Str", "Base64Bytes", "SecretStr", "Json", "Optional", "Union", "List", "Dict", "Set", "Tuple",
    "date", "datetime", "time", "timedelta", "conint", "constr", "confloat", "conlist",
})


def words(text: str) -> list[str]:
    """The words of any spec string: ASCII-folded, split on case changes, digits kept, everything else dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(ascii_text)


def snake_name(text: str, fallback: str = "unnamed") -> str:
    """A snake_case identifier: `sendUserAudio` -> `send_user_audio`; never a keyword, never starts with a digit."""
    name = "_".join(w.lower() for w in words(text)) or fallback
    return _safe(name, "n_")


def pascal_name(text: str, fallback: str = "Unnamed") -> str:
    """A PascalCase identifier: `session state` -> `SessionState`; acronyms kept, never starts with a digit."""
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    return _safe(name, "N")


def _safe(name: str, digit_prefix: str) -> str:
    if name[0].isdigit():
        name = digit_prefix + name
    # Hard keywords only: soft keywords (`type` became one in 3.12) are valid names, and the output must be
    # the same bytes whichever Python runs the generator.
    if keyword.iskeyword(name) or name in RESERVED:
        name += "_"
    return name


class NameTable:
    """Hands out unique names within one namespace: the second `foo` becomes `foo_2`."""

    def __init__(self, taken: frozenset[str] = frozenset()) -> None:
        self._taken: set[str] = set(taken)

    def is_free(self, name: str) -> bool:
        """Whether claim(name) would return name itself."""
        return name not in self._taken

    def claim(self, name: str) -> str:
        """name itself if free, else the first free `name_N`/`NameN`."""
        candidate, n = name, 2
        separator = "_" if name[:1].islower() else ""
        while candidate in self._taken:
            candidate = f"{name}{separator}{n}"
            n += 1
        self._taken.add(candidate)
        return candidate
