"""datamodel-code-generator's code for one JSON Schema: the only module that calls it.

It imports nothing of the build (only the small `collector`), so that the forked models worker (`modelworker`)
loads only this and datamodel-code-generator, which it imports lazily: that import costs ~0.25 s, which `check` avoids when the spec's
digest shows nothing changed.
"""

from __future__ import annotations

import json
from typing import Any

from asyncapi_gen.collector import collector_paused

__all__ = ["ModelEmitError", "datamodel_code"]

_BASE_PLACEHOLDER = "asyncapi_gen_wire.WireModel"
_BASE_MODULE = "._runtime.core.wire"


class ModelEmitError(Exception):
    """datamodel-code-generator failed, or its output lacks a class the rest of the package relies on."""


def datamodel_code(schema: dict[str, Any]) -> str:
    """datamodel-code-generator's pydantic v2 code for schema, its base class already the runtime's WireModel."""
    from datamodel_code_generator import generate
    from datamodel_code_generator.enums import DataModelType, InputFileType
    from datamodel_code_generator.format import PythonVersion

    try:
        with collector_paused():  # 3 s of 33 at 5,000 messages; the peak memory rose by 3 %
            result = generate(
                json.dumps(schema),
                input_file_type=InputFileType.JsonSchema,
                output_model_type=DataModelType.PydanticV2BaseModel,
                target_python_version=PythonVersion.PY_311,
                formatters=[],  # our format stage runs ruff once over the whole package
                disable_timestamp=True,
                skip_root_model=True,
                parent_scoped_naming=True,  # inline enums named after their owner: TranscriptRole, not Role
                use_annotated=True,
                field_constraints=True,
                use_schema_description=True,
                use_field_description=True,
                snake_case_field=True,
                capitalise_enum_members=True,
                use_single_value_enum_as_const=True,
                use_one_literal_as_default=True,  # `Transcript(text=...)` without `type="transcript"`
                use_double_quotes=True,
                keep_model_order=True,
                additional_imports=["typing.Annotated", "pydantic.Field"],
                # Every model derives from the runtime's WireModel (wire names out, extra properties kept); the
                # placeholder path is rewritten to the package's own `_runtime` below.
                base_class=_BASE_PLACEHOLDER,
                # EmailStr needs the optional email-validator package: generated packages depend on plain pydantic.
                type_mappings=["email=string", "idn-email=string"],
            )
    except Exception as exc:
        raise ModelEmitError(f"datamodel-code-generator failed: {exc}") from exc
    if not isinstance(result, str):
        raise ModelEmitError("datamodel-code-generator returned several modules where one was expected")
    return result.replace(f"from {_BASE_PLACEHOLDER.rpartition('.')[0]} import", f"from {_BASE_MODULE} import")
