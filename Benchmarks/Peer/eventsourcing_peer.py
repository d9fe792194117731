#!/usr/bin/env python3
"""The Python `eventsourcing` library on SQLite, doing what koki's benchmark does beside it.

koki's peer benchmark (`Peer: …` in Benchmarks/) writes its workload — koki's own events, one
JSON object a line: the stream, the event type and the event's fields — and runs this script on
it in the same iteration as koki's own measurements. Each stream becomes one aggregate (a
person) whose events carry the same fields; this script then measures, as koki does:

  append    one save per person (one transaction of 20 events), synchronous FULL or NORMAL
  replay    every event in order from the application's notification log, decoded into its
            domain event and folded into per-person balances (assessed, paid)
  load      one person's aggregate from the repository, 2,000 random persons, each timed
  bytes     the file's size per event after a checkpoint

and prints one JSON object of figures on standard output (nothing else). The balances it folds
are printed too, so the caller can check both stores read back the same money.
"""

import argparse
import json
import os
import random
import sqlite3
import sys
import time
import uuid

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing import sqlite as es_sqlite

NAMESPACE = uuid.UUID("6f1c3f4e-5a0b-4d8e-9a77-3c1f0b9d2e10")
SYNCHRONOUS = os.environ.get("PEER_SYNCHRONOUS", "FULL")


def _with_synchronous(create):
    """The library opens its connections itself: set the same durability koki's ledger uses."""

    def created(self):
        connection = create(self)
        connection._sqlite_conn.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
        return connection

    return created


es_sqlite.SQLiteConnectionPool._create_connection = _with_synchronous(
    es_sqlite.SQLiteConnectionPool._create_connection
)


def amounts(kind, data):
    """What an event does to a person's balance: (assessed, paid)."""
    if kind == "PremiumAssessed":
        return int(data["annualPremium"]), 0
    if kind == "PaymentReceived":
        return 0, int(data["amount"])
    return 0, 0


class Person(Aggregate):
    @staticmethod
    def create_id(stream, kind, data):
        return uuid.uuid5(NAMESPACE, stream)

    # A person's first event creates the aggregate (the library names its creation event apart).
    @event("Opened")
    def __init__(self, stream, kind, data):
        self.stream = stream
        self.assessed, self.paid = amounts(kind, data)

    @event("Recorded")
    def record(self, kind, data):
        assessed, paid = amounts(kind, data)
        self.assessed += assessed
        self.paid += paid


class City(Application):
    pass


def read_workload(path):
    streams = {}
    order = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            name = row["stream"]
            if name not in streams:
                streams[name] = []
                order.append(name)
            streams[name].append((row["type"], row["data"]))
    return [(name, streams[name]) for name in order]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="the JSON-lines workload koki's benchmark wrote")
    parser.add_argument("database", help="the SQLite file to create (must not exist)")
    parser.add_argument("--loads", type=int, default=2000)
    args = parser.parse_args()
    if os.path.exists(args.database):
        sys.exit(f"{args.database} exists already")

    workload = read_workload(args.workload)
    events = sum(len(rows) for _, rows in workload)
    app = City(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": args.database})

    # Append: one save (one transaction) per person.
    started = time.perf_counter()
    ids = []
    for name, rows in workload:
        kind, data = rows[0]
        person = Person(name, kind, data)
        for kind, data in rows[1:]:
            person.record(kind, data)
        app.save(person)
        ids.append(person.id)
    append_seconds = time.perf_counter() - started

    # Replay: every event in order, decoded and folded into balances.
    started = time.perf_counter()
    balances = {}
    replayed = 0
    start = 1
    while True:
        page = app.recorder.select_notifications(start, 1000)
        if not page:
            break
        for notification in page:
            domain_event = app.mapper.to_domain_event(notification)
            assessed, paid = amounts(domain_event.kind, domain_event.data)
            a, p = balances.get(domain_event.originator_id, (0, 0))
            balances[domain_event.originator_id] = (a + assessed, p + paid)
            replayed += 1
        start = page[-1].id + 1
    replay_seconds = time.perf_counter() - started
    if replayed != events:
        sys.exit(f"replayed {replayed} events of {events}")

    # Load: 2,000 random persons, each timed on its own.
    pick = random.Random(3)
    times = []
    for _ in range(args.loads):
        person_id = ids[pick.randrange(len(ids))]
        t = time.perf_counter_ns()
        person = app.repository.get(person_id)
        times.append(time.perf_counter_ns() - t)
        assert (person.assessed, person.paid) == balances[person_id]
    times.sort()

    def percentile(p):
        return times[min(len(times) - 1, max(0, (len(times) * p + 99) // 100 - 1))]

    del app
    connection = sqlite3.connect(args.database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    size = os.path.getsize(args.database)

    print(
        json.dumps(
            {
                "library": "eventsourcing",
                "synchronous": SYNCHRONOUS,
                "events": events,
                "appendEventsPerSecond": int(events / append_seconds),
                "replayEventsPerSecond": int(events / replay_seconds),
                "loadP50Nanoseconds": percentile(50),
                "loadP99Nanoseconds": percentile(99),
                "bytesPerEvent": size // events,
                "assessed": sum(a for a, _ in balances.values()),
                "paid": sum(p for _, p in balances.values()),
            }
        )
    )


if __name__ == "__main__":
    main()
