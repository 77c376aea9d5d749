# Part of the asyncapi-gen 0.1.0 runtime, copied verbatim. Do not edit.
"""A pool of server processes sharing one Redis: sessions go to whichever has room (redis-py).

``RedisAdmission`` is the ``core.admission.Admission`` of one process of the pool. It lives
apart from ``core/`` because it needs redis-py: a package that never pools never imports it.
"""

from .redis_admission import PoolUnavailable, RedisAdmission

__all__ = ["PoolUnavailable", "RedisAdmission"]
