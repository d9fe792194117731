import Foundation
import GRDB

/// The ledger's tables, created and upgraded by versioned migrations.
///
/// Design notes:
/// - Stream and event-type names are stored once (`koki_streams`, `koki_event_types`) and
///   events refer to them by integer id; a command's envelope (id, actor, recorded time,
///   correlation and causation) is stored once per command in `koki_commands`, its actor and
///   correlation once per ledger (`koki_actors`, `koki_correlations`, v11 on). Every event's
///   hash still covers the resolved names and its command's envelope, so nothing is outside the
///   chain; the split only keeps one copy of what every event of a command shares, which
///   roughly halves the bytes per event and makes the idempotency lookup one unique index.
/// - Every event has a chain hash, but only a command's last event stores it (v8 on), and from
///   v12 on only if it lies 32 positions or more past the last stored one: the hashes between are computed on
///   the way, and a change to any of them changes the next stored one. The chain's head is kept
///   beside the rows (`koki_chain_head`), rewritten by every append.
/// - Every table is append-only: triggers refuse UPDATE and DELETE.
/// - `PRAGMA application_id` marks the file as a koki ledger; GRDB's migrator records the
///   applied schema versions, and a ledger with versions this build does not know is refused.
enum Schema {
    /// `KOKI` in ASCII: how a koki ledger is told apart from any other SQLite file.
    static let applicationID: Int32 = 0x4B4F_4B49

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE koki_meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE koki_streams (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE koki_event_types (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE
                    );
                    CREATE TABLE koki_commands (
                        seq INTEGER PRIMARY KEY,
                        command_id BLOB NOT NULL UNIQUE,
                        actor TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL,
                        correlation_id BLOB,
                        causation_id BLOB,
                        first_position INTEGER NOT NULL,
                        event_count INTEGER NOT NULL
                    );
                    CREATE TABLE koki_events (
                        position INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL,
                        stream_version INTEGER NOT NULL,
                        type_id INTEGER NOT NULL,
                        schema_version INTEGER NOT NULL,
                        command_seq INTEGER NOT NULL,
                        encoding INTEGER NOT NULL,
                        payload BLOB NOT NULL,
                        hash BLOB NOT NULL
                    );
                    CREATE UNIQUE INDEX koki_events_by_stream ON koki_events(stream_id, stream_version);
                    """)
            try refuseUpdatesAndDeletes(
                db, on: ["koki_meta", "koki_streams", "koki_event_types", "koki_commands", "koki_events"])
        }
        migrator.registerMigration("v2-subject-keys") { db in
            // Keys that seal each subject's personal data. Deliberately not append-only and not
            // in the hash chain: erasing a person after retention is deleting their key here,
            // which leaves every event, amount and hash intact and the sealed data unreadable.
            try db.execute(
                sql: """
                    CREATE TABLE koki_subject_keys (
                        subject TEXT PRIMARY KEY NOT NULL,
                        key BLOB NOT NULL,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3-sessions-lookups") { db in
            // When each session last acted (idle expiry): runtime state, not history — logins,
            // logouts and every read are events in the chain.
            // Keyed digests that find a subject by a secret value (a My Number) without storing
            // the value or an index of it; a subject's digests go when its key is erased.
            try db.execute(
                sql: """
                    CREATE TABLE koki_session_activity (
                        session TEXT PRIMARY KEY NOT NULL,
                        last_seen INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE koki_lookups (
                        kind TEXT NOT NULL,
                        digest BLOB NOT NULL,
                        subject TEXT NOT NULL,
                        PRIMARY KEY (kind, digest)
                    ) WITHOUT ROWID;
                    CREATE INDEX koki_lookups_subject ON koki_lookups(subject);
                    """)
        }
        migrator.registerMigration("v4-type-index") { db in
            // Reading one kind of event across the city (the applications pending at the
            // counters, a household's members, certificates out) reads those rows, not all.
            try db.execute(sql: "CREATE INDEX koki_events_by_type ON koki_events(type_id, position)")
        }
        migrator.registerMigration("v5-command-seals") { db in
            // The keyed half of the chain (see ``ChainKey``): one seal per command, append-only
            // like the events. The seals of a ledger written before this version are computed once,
            // the first time the ledger is opened with its key (the migration has no key); the
            // SHA-256 chain stays as it was. `koki_meta`'s `keyed_chain` row says the seals are there,
            // so from then on a command without a seal is a rewrite, not an old ledger.
            try db.execute(
                sql: """
                    CREATE TABLE koki_command_seals (
                        seq INTEGER PRIMARY KEY,
                        seal BLOB NOT NULL
                    );
                    """)
            try refuseUpdatesAndDeletes(db, on: ["koki_command_seals"])
        }
        migrator.registerMigration("v6-credentials") { db in
            // Operators' password hashes: state beside the keys, not history. Before this version
            // they were recorded in the events; those hashes stay in the chain (it cannot change) but
            // open nothing except the new password each such operator must set at their next login.
            try db.execute(
                sql: """
                    CREATE TABLE koki_credentials (
                        principal TEXT PRIMARY KEY NOT NULL,
                        secret TEXT NOT NULL,
                        set_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v7-payload-dictionary") { db in
            // Payloads compressed against a dictionary (encoding 2). The dictionary is fixed in the
            // code, named by the encoding; a copy of its bytes here lets any reader of the file open
            // the payloads, and the version keeps an older build from reading rows it cannot decode.
            // (A build that could not load it stores nothing against it either.)
            guard let dictionary = PayloadDictionary.first else { return }
            try db.execute(
                sql: "INSERT INTO koki_meta(key, value) VALUES (?, ?)",
                arguments: [PayloadEncoding.lz4DictionaryFirst.metaKey, Data(dictionary.bytes)])
        }
        migrator.registerMigration("v8-command-hashes") { _ in
            // From here on a command's chain hash is stored once, on its last event; its other
            // events store an empty hash, computed again by `verify` on the way to the stored one.
            // Nothing changes in the tables: the version keeps an older build, which would take the
            // empty hashes for damage, from opening the file.
        }
        migrator.registerMigration("v9-type-index-by-rowid") { db in
            // The index by type keys on the type alone: SQLite puts the row's position (its rowid)
            // after the indexed columns of every entry anyway, in the same order, so the entries of
            // v4 held it twice. The same reads use it (a type from a position on, in order), and it
            // takes about a third less room: 5 bytes an event on a ten-year city.
            try db.execute(sql: "DROP INDEX koki_events_by_type")
            try db.execute(sql: "CREATE INDEX koki_events_by_type ON koki_events(type_id)")
        }
        migrator.registerMigration("v10-payloads-read-with-their-stream") { _ in
            // From here on a payload may leave out what its row's stream already names (koki's
            // events on a person's stream name the person in one byte), so it is read with its
            // stream. Nothing changes in the tables: the version keeps an older build, which would
            // read such a payload as damaged, from opening the file.
        }
        migrator.registerMigration("v11-command-names") { db in
            // A command's actor and correlation repeat across thousands of commands (an operator,
            // a run, a session): each is stored once in a table of its own, and a command refers
            // to it by number, as an event refers to its stream and type. A command recorded
            // before keeps them in its own columns; both read the same, and the chain's hashes
            // cover the actor's name and the correlation's bytes as before.
            try db.execute(
                sql: """
                    CREATE TABLE koki_actors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE koki_correlations (id INTEGER PRIMARY KEY, name BLOB NOT NULL UNIQUE);
                    ALTER TABLE koki_commands ADD COLUMN actor_id INTEGER;
                    ALTER TABLE koki_commands ADD COLUMN correlation_ref INTEGER;
                    """)
            try refuseUpdatesAndDeletes(db, on: ["koki_actors", "koki_correlations"])
        }
        migrator.registerMigration("v12-sparse-hashes") { db in
            // From here on a command stores its chain hash (on its last event) only when that
            // event lies 32 positions or more past the last stored hash (see ``Ledger/storesHash``),
            // where every command stored 32 bytes before. The hashes between are computed on the
            // way, as a command's other events' are. The head of the chain is kept apart, in
            // `koki_chain_head`, written with every append: an append continues from it, and
            // `verify` holds the chain it computes to it, so the commands after the last stored
            // hash are checked too. The commands recorded before keep their hashes; `koki_meta`
            // names the first command of the new rule.
            try db.execute(
                sql: """
                    CREATE TABLE koki_chain_head (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        position INTEGER NOT NULL,
                        hash BLOB NOT NULL,
                        last_stored INTEGER NOT NULL
                    );
                    INSERT INTO koki_chain_head(id, position, hash, last_stored)
                        SELECT 1, position, hash, position FROM koki_events ORDER BY position DESC LIMIT 1;
                    INSERT INTO koki_meta(key, value)
                        SELECT '\(Ledger.sparseHashesKey)', COALESCE(MAX(seq), 0) + 1 FROM koki_commands;
                    """)
        }
        return migrator
    }

    /// Makes tables append-only: a trigger on each refuses every UPDATE and DELETE.
    static func refuseUpdatesAndDeletes(_ db: Database, on tables: [String]) throws {
        for table in tables {
            for verb in ["UPDATE", "DELETE"] {
                try db.execute(
                    sql: """
                        CREATE TRIGGER \(table)_refuse_\(verb.lowercased()) BEFORE \(verb) ON \(table)
                        BEGIN SELECT RAISE(ABORT, 'koki ledger is append-only: \(verb) on \(table) refused'); END;
                        """)
            }
        }
    }
}
