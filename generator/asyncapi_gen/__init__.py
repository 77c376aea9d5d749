"""asyncapi-gen: AsyncAPI documents become typed Python packages."""

__version__ = "0.1.0"
