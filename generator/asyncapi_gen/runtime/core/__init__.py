"""The transport-neutral core: channels, codec and routing, delivery, the session, the contracts.

Nothing here touches a socket or imports a transport library (only the standard library and
pydantic), so a transport of any kind, a broker client included, builds on it without pulling
in the others. The transports are the runtime's other subpackages.
"""

from .addressing import (
    Addressed,
    AddressedClientTransport,
    AddressedServerSession,
    Received,
    ReceivedCallback,
    new_correlation_id,
    parameters_of,
)
from .admission import Admission, LocalAdmission, Placement
from .channels import ChannelKind, ChannelSpec
from .contracts import (
    ClientTransport,
    DataTransport,
    Link,
    MediaClientTransport,
    MediaServerSession,
    MediaSession,
    ServerSession,
    ServerTransport,
    SessionHandler,
    SessionIssuer,
    Track,
)
from .errors import (
    AsyncApiRuntimeError,
    CloseReason,
    ConnectError,
    InvalidJson,
    MessageTooLarge,
    SchemaViolation,
    SessionClosed,
    SessionError,
    TaskFailed,
    TokenRejected,
    TransportNotAvailable,
    UnknownMessage,
    WireError,
)
from .handling import no_hook
from .session import Session
from .tasks import SessionTasks
from .tokens import InMemoryTokenIssuer, TokenIssuer, TooManyTokens
from .unavailable import UnavailableClientTransport, UnavailableServerTransport
from .wire import WireModel

__all__ = [
    "Addressed",
    "AddressedClientTransport",
    "AddressedServerSession",
    "Admission",
    "AsyncApiRuntimeError",
    "ChannelKind",
    "ChannelSpec",
    "ClientTransport",
    "CloseReason",
    "ConnectError",
    "DataTransport",
    "InMemoryTokenIssuer",
    "InvalidJson",
    "Link",
    "LocalAdmission",
    "MediaClientTransport",
    "MediaServerSession",
    "MediaSession",
    "MessageTooLarge",
    "Placement",
    "Received",
    "ReceivedCallback",
    "SchemaViolation",
    "ServerSession",
    "ServerTransport",
    "Session",
    "SessionClosed",
    "SessionError",
    "SessionHandler",
    "SessionIssuer",
    "SessionTasks",
    "TaskFailed",
    "TokenIssuer",
    "TokenRejected",
    "TooManyTokens",
    "Track",
    "TransportNotAvailable",
    "UnavailableClientTransport",
    "UnavailableServerTransport",
    "UnknownMessage",
    "WireError",
    "WireModel",
    "new_correlation_id",
    "no_hook",
    "parameters_of",
]
