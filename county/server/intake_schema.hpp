// The intake server's store: DIR/intake.db, one SQLite file (through SQLCipher's library, never
// keyed: it holds sealed envelopes the server cannot open, signed acknowledgements and signed
// case statuses — nothing a key on the same disk would protect).
//
// Modes, set on every open by sync/store/sqlite_store.hpp (the discipline all three stores share),
// with the reason:
//   journal_mode = WAL     readers (staff pulls, status look-ups) never block the writer
//   synchronous  = FULL    a COMMIT that returned survives power loss; an ack is only sent after
//                          the COMMIT that stored it returned (in WAL mode NORMAL could lose the
//                          last transactions on power loss, and a kiosk that holds an ack deletes
//                          its copy of the envelope)
//   foreign_keys = ON, secure_delete = ON (nothing is deleted today; for the future),
//   temp_store = MEMORY
//   user_version           re-read after taking the write lock, so two servers started at once
//                          never both migrate
//
// Invariants (triggers enforce those SQL can express; tests/server checks the rest):
//   1. An envelope row is never updated or deleted (triggers envelopes_no_update/no_delete).
//   2. (kiosk_id, sequence) is unique: the first envelope stored for a sequence stays. A fork
//      (same kiosk and sequence, another envelope hash) never replaces it; it is recorded as an
//      `alarms` row of kind 'fork' with the offered envelope, for the staff to look at.
//   3. An envelope and its acknowledgement (received_at + county signature over kiosk, sequence,
//      hash, received_at) are one row, so they are stored in one transaction and a duplicate is
//      always answered with the original acknowledgement.
//   4. Every stored envelope passed, before its INSERT and in this order: wire syntax, version,
//      registry (enrolled, not revoked), Ed25519 signature, and the chain checks against the
//      stored neighbours: if sequence-1 is stored its hash equals this envelope's previous hash;
//      if sequence+1 is stored its previous hash equals this envelope's hash. A missing neighbour
//      is a gap, not an error; gaps are derived from the stored sequences (so a gap closes by
//      itself when the missing envelope arrives).
//   5. Group commit: the batches of the POST /v1/envelopes requests that arrive while a COMMIT
//      is in progress are stored together in the next transaction, each batch in its own
//      SAVEPOINT (one commit thread runs the transactions; no request thread waits on one). A
//      batch whose statements fail is rolled back to its savepoint alone (its answer is 500
//      `internal`, nothing of it stored); the others commit. The acknowledgement and "received"
//      status signatures are made before the batch joins a group (they do not need the
//      connection), but every answer (with its acks) is sent only after the shared COMMIT
//      returned; if COMMIT fails nothing of any batch in the group is stored and every one of
//      them is answered 500 `internal`.
//   6. The first `case_status` row of an envelope's receipt tag (status "received", signed with
//      the county signing key) is inserted in the same transaction as the envelope. A version-2
//      header does not say whether it is a complaint, so every version-2 envelope gets one; a
//      survey's tag is random and no receipt code finds its row. Later rows replace it only via
//      PUT /v1/staff/status after the county signature and the tag were checked.
//   7. No column holds plaintext: payloads stay sealed to the county key, which the server never
//      loads. Request logs and this store hold no client address.
//   8. PRAGMA user_version is the number of migration steps applied; a file with a higher number
//      is refused.
//   9. An offered envelope raises at most one alarm of each kind (unique index alarms_once): a
//      kiosk that resends the same fork does not grow the store.
//  10. A receipt tag belongs to one stored envelope: an envelope offering a tag that another
//      stored envelope carries is refused (`tag-reused`), so a status look-up names one case.
//  11. What one kiosk adds to the store (envelope and alarm evidence bytes) is counted per UTC
//      day in kiosk_usage, in the same transaction as the rows it counts; an envelope that would
//      take the day's count over the server's per-kiosk budget is refused (`over-quota`) and
//      stays in the kiosk's outbox for the next day.
//  12. `kind` is the clear kind of a version-1 header and NULL for version 2, whose kind is
//      sealed (crypto/envelope.hpp); no column holds a submission's time (received_at is the
//      server's own clock).
//  13. A config_bundles row holds a bundle whose county signature verified before its INSERT;
//      one row per configuration version, never updated (trigger config_bundles_no_update), so
//      the server can serve a bundle but never make or alter one (it has no signing key for
//      them: bundles are signed in the office, docs/protocol.md section 8).
#pragma once

#include "sync/store/sqlite_store.hpp"

#include <array>
#include <string_view>

namespace minsheng::server::schema {

/// One forward step (sync/store/sqlite_store.hpp applies them, invariant 4 there).
using sync::sqlite::MigrationStep;

// Append new steps at the end; never edit a step that has shipped.
inline constexpr std::array kMigrations = {
    MigrationStep{1, "initial schema: envelopes, alarms, kiosk_state, case_status", R"sql(
CREATE TABLE envelopes (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT, -- storage order; the staff pull cursor
    kiosk_id       TEXT NOT NULL CHECK (length(kiosk_id) BETWEEN 1 AND 64),
    sequence       INTEGER NOT NULL CHECK (sequence >= 1),
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32),
    kind           INTEGER NOT NULL CHECK (kind IN (1, 2)),
    receipt_tag    BLOB CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    envelope_json  TEXT NOT NULL,   -- the wire form (docs/protocol.md section 6)
    received_at    INTEGER NOT NULL,
    ack_signature  BLOB NOT NULL CHECK (length(ack_signature) = 64),
    UNIQUE (kiosk_id, sequence)
);
CREATE INDEX envelopes_by_tag ON envelopes (receipt_tag) WHERE receipt_tag IS NOT NULL;
CREATE TRIGGER envelopes_no_update BEFORE UPDATE ON envelopes
BEGIN SELECT RAISE(ABORT, 'invariant 1: stored envelopes are never updated'); END;
CREATE TRIGGER envelopes_no_delete BEFORE DELETE ON envelopes
BEGIN SELECT RAISE(ABORT, 'invariant 1: stored envelopes are never deleted'); END;

CREATE TABLE alarms (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL CHECK (kind IN ('fork', 'chain-break')),
    kiosk_id       TEXT NOT NULL,
    sequence       INTEGER NOT NULL,
    stored_hash    BLOB,            -- the stored envelope it conflicts with
    offered_hash   BLOB NOT NULL,
    offered_json   TEXT NOT NULL,   -- the offered envelope, kept as evidence
    detected_at    INTEGER NOT NULL
);

CREATE TABLE kiosk_state (
    kiosk_id          TEXT PRIMARY KEY,
    last_contact      INTEGER,      -- last authenticated request (batch or heartbeat)
    last_heartbeat    TEXT,         -- the last verified heartbeat, wire form
    last_heartbeat_at INTEGER
);

CREATE TABLE case_status (
    receipt_tag  BLOB PRIMARY KEY CHECK (length(receipt_tag) = 32),
    status_json  TEXT NOT NULL,     -- signed case status, wire form, served as is
    stored_at    INTEGER NOT NULL
);
)sql"},
    MigrationStep{2, "alarms kept once per offered envelope; per-kiosk daily byte usage", R"sql(
DELETE FROM alarms WHERE id NOT IN
    (SELECT MIN(id) FROM alarms GROUP BY kind, kiosk_id, sequence, offered_hash);
CREATE UNIQUE INDEX alarms_once ON alarms (kind, kiosk_id, sequence, offered_hash);

CREATE TABLE kiosk_usage (
    kiosk_id  TEXT NOT NULL,
    day       INTEGER NOT NULL,     -- Unix day (UTC) of the server's clock
    bytes     INTEGER NOT NULL CHECK (bytes >= 0),
    PRIMARY KEY (kiosk_id, day)
);
)sql"},
    // Invariant 12. SQLite cannot relax a column's CHECK in place, so the table is copied; no
    // table references envelopes, and DROP TABLE fires no trigger, so every row is kept as is
    // (invariant 1 holds: the rows are the same rows, cursor values included).
    MigrationStep{3, "kind is NULL for version-2 envelopes, whose kind is sealed", R"sql(
CREATE TABLE envelopes_copy (
    cursor         INTEGER PRIMARY KEY AUTOINCREMENT, -- storage order; the staff pull cursor
    kiosk_id       TEXT NOT NULL CHECK (length(kiosk_id) BETWEEN 1 AND 64),
    sequence       INTEGER NOT NULL CHECK (sequence >= 1),
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32),
    kind           INTEGER CHECK (kind IS NULL OR kind IN (1, 2)), -- version 1 only
    receipt_tag    BLOB CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    envelope_json  TEXT NOT NULL,   -- the wire form (docs/protocol.md section 6)
    received_at    INTEGER NOT NULL,
    ack_signature  BLOB NOT NULL CHECK (length(ack_signature) = 64),
    UNIQUE (kiosk_id, sequence)
);
INSERT INTO envelopes_copy (cursor, kiosk_id, sequence, previous_hash, envelope_hash, kind,
                            receipt_tag, envelope_json, received_at, ack_signature)
    SELECT cursor, kiosk_id, sequence, previous_hash, envelope_hash, kind, receipt_tag,
           envelope_json, received_at, ack_signature FROM envelopes ORDER BY cursor;
DROP TABLE envelopes;
ALTER TABLE envelopes_copy RENAME TO envelopes;
CREATE INDEX envelopes_by_tag ON envelopes (receipt_tag) WHERE receipt_tag IS NOT NULL;
CREATE TRIGGER envelopes_no_update BEFORE UPDATE ON envelopes
BEGIN SELECT RAISE(ABORT, 'invariant 1: stored envelopes are never updated'); END;
CREATE TRIGGER envelopes_no_delete BEFORE DELETE ON envelopes
BEGIN SELECT RAISE(ABORT, 'invariant 1: stored envelopes are never deleted'); END;
)sql"},
    // Invariant 13.
    MigrationStep{4, "signed configuration bundles, as the county published them", R"sql(
CREATE TABLE config_bundles (
    config_version INTEGER PRIMARY KEY CHECK (config_version >= 1),
    targets        TEXT NOT NULL,   -- ' id id ' of the targeted kiosks, '' for every kiosk
    bundle_json    TEXT NOT NULL,   -- the signed bundle, wire form, served as is
    stored_at      INTEGER NOT NULL
);
CREATE TRIGGER config_bundles_no_update BEFORE UPDATE ON config_bundles
BEGIN SELECT RAISE(ABORT, 'invariant 13: a stored configuration bundle is never changed'); END;
)sql"},
};

} // namespace minsheng::server::schema
