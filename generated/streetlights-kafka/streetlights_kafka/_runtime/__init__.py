# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""The asyncapi-gen transport runtime, copied verbatim into every generated package as ``_runtime/``.

It imports nothing from the generator, and this file imports nothing at all, so importing one
layer never loads another's dependencies:

- ``core/``: channels, the codec and its routing, delivery, the one ``Session`` class, the
  contracts generated code talks to (``ClientTransport``, ``ServerTransport``, ...), tokens;
  only the standard library and pydantic.
- then one subpackage per transport, each built on ``core/`` alone (or on another transport it
  rides on), with the same module names: ``session.py`` (the link under a ``Session``),
  ``client.py``, ``server.py``.

A generated package carries ``core/`` and the transports it uses, no more.
"""
