"""The monitor's scale-out path over Redis Streams (issue 6 item 5): many consumers, each session judged by exactly one.

The in-process engine (engine.Engine) is the default; this module spreads the same engine over several processes or
machines, with at-least-once delivery and checkpoints so that a consumer killed with SIGKILL is replaced without losing
an event or repeating an alert. This module is the design and the public names: redis_publish.py has the key names
and ``publish``, redis_consume.py the consumers, their checkpoints, the watching of a deployment and the benchmark.

Keys (``lc`` is the default ``prefix``; tests and the benchmark use their own):

- ``lc:partitions`` — N, the number of partitions, set by the first publisher (a later one with another N is refused).
- ``lc:events:{p}`` — partition stream p, p = crc32("platform:session_id") mod N. One session's events always go to one
  stream, in the order they were published, so its state stays in one place and its events stay ordered. An entry
  holds one field: ``e``, one event's JSON line, unchanged; or ``b``, several consecutive event lines of the partition
  joined by newlines (``publish(pack=…)``: far fewer entries for Redis and the consumers). A consumer reads both; an
  entry is processed, acknowledged and replayed whole, and a checkpoint's ``last_id`` is that of the last entry.
- consumer group ``monitor`` on every partition stream (created from id 0, so events published before any consumer
  started are read too).
- ``lc:lease:{p}`` — who owns partition p: ``SET lc:lease:{p} NAME NX PX lease_ms``, renewed every lease_ms/3 by a
  compare-and-expire script. Each partition has one owner at a time; ``lc:consumers`` (a sorted set of consumer names
  scored by the expiry of their heartbeat) tells each consumer how many are alive, so each takes its fair share
  ceil(N / alive) and gives back the rest (after a checkpoint) — sessions are partitioned across consumers.
- ``lc:ckpt:{p}`` — the checkpoint of partition p: a hash with ``engine`` (pickle.dumps of the partition's Engine),
  ``last_id`` (the last stream id it has processed) and ``consumer``. The engine goes on in the next owner: what it
  holds (notifications waiting for their group, alerts whose time has not come) is decided there, not lost.
- ``lc:alerts`` — the output stream: one entry per alert transition, fields ``id`` = "fingerprint|state|at" (at with
  three decimals: the transition's identity, for whoever wants to check for duplicates), ``record`` = the JSON of
  Transition.record(), ``partition``.

A consumer runs one Engine per partition it owns. Each session has its own clock in the engine (its latest event
time less ``lag``), so how partitions are split and how fast each is read changes nothing: the transitions are those of
one in-process Engine (the tests check it on a whole synthetic evening). A session that falls silent is judged when
its next event comes, or, with ``live_clock``, as the wall clock moves every session of the partition once a second
(for a live deployment; off for replays, where the wall clock is not event time). A partition with nothing new scans
the texts waiting for a batch at once, and so does a consumer that gives a partition back, so the hit of a last line
is not left waiting for more events.

At-least-once delivery, each transition written once. XREADGROUP reads; events are processed at once; nothing is
acknowledged until a checkpoint. Every ``checkpoint_every`` events, every ``checkpoint_seconds`` and when a partition
has nothing new — but never sooner than nine times the last checkpoints of all the partitions the consumer owns took,
busy or idle, so that pickling large engines costs at most a tenth of the time even when events come in bursts — the
consumer writes, in one atomic Lua script (a MULTI/EXEC that also checks the lease inside the transaction, so a
consumer that lost its lease — paused, then replaced — can no longer write): the pickled engine with the last
processed id, the XACK of every id the checkpoint covers, and the XADD of the transitions produced since the previous
checkpoint. State, acknowledgement and output move together.

A replacement (after the owner is killed and its lease expires) loads the checkpoint, XAUTOCLAIMs the partition's
pending entries — every one of them (min-idle 0): holding the lease proves their old owner is gone, and an entry
delivered just before the kill has been idle for less than the lease, so a min-idle of the lease time would strand
it — processes those after the checkpoint's id again, from the checkpointed state, and reads on. Their transitions had
never been written (they wait for a checkpoint), so they are written once, at the replacement's next checkpoint:
nothing lost, nothing repeated. A rebalance (a consumer joins or leaves cleanly) is the same hand-over without the
wait: the owner checkpoints, releases the lease, and the next owner starts from that checkpoint.

Only transitions travel through Redis: the engine's other outboxes (minute rows, hits, notifications, ended sessions)
are emptied at each checkpoint — after a ``sink`` (drain.RegistrySink, `monitor consume --record`) has taken them and
the transitions into the registry database and the webhooks; if it cannot, there is no checkpoint (nothing is
acknowledged that was not recorded) and the partition tries again SINK_RETRY seconds later. Streams are not trimmed
here (``XTRIM … MINID`` below the oldest checkpoint is safe). The checkpoint is a pickle: the Redis server must be as
trusted as the code that reads it.
"""

from livecommerce.monitor.redis_consume import (
    DEFAULT_LEASE_MS,
    Consumer,
    Partition,
    Sink,
    StopFlag,
    alerts,
    caught_up,
    drop,
    throughput,
    transition_id,
)
from livecommerce.monitor.redis_publish import (
    DEFAULT_PARTITIONS,
    GROUP,
    Keys,
    connect,
    ensure_partitions,
    partition_of,
    publish,
)

__all__ = [
    "DEFAULT_LEASE_MS",
    "DEFAULT_PARTITIONS",
    "GROUP",
    "Consumer",
    "Keys",
    "Partition",
    "Sink",
    "StopFlag",
    "alerts",
    "caught_up",
    "connect",
    "drop",
    "ensure_partitions",
    "partition_of",
    "publish",
    "throughput",
    "transition_id",
]
