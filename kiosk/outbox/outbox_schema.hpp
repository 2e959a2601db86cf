// The outbox's schema and its forward migrations.
//
// The store is one SQLCipher file, `outbox.db`, in the kiosk's data folder. Everything in it is
// encrypted page by page (AES-256-CBC + HMAC-SHA1 per 4096-byte page: the SQLCipher 3.4 defaults
// that Debian 12 ships); the envelopes inside are additionally sealed to the county key, so the
// outbox key protects metadata (sequence, receipt tag) rather than what parents wrote; the
// columns hold no submission time or kind at all (invariant 9).
//
// Invariants (checked by triggers where SQL can express them, and by tests/sync):
//   1. An envelope row is immutable once inserted: no UPDATE of `envelopes` is allowed.
//   2. An envelope leaves the outbox only after the county's acknowledgement of exactly that
//      envelope hash is stored (trigger envelopes_keep_unacknowledged). prune() is the only
//      DELETE, and it selects acknowledged rows only.
//   3. The chain's tip is the last envelope ever appended, whether or not it has been pruned
//      since: view `chain_tip` (since step 3) gives the newest row of `envelopes` when it is
//      newer than `chain_head`, and `chain_head` otherwise (zeros and 0 before the first
//      envelope). The next envelope's sequence is tip + 1 and its previous hash is the tip's hash
//      (enforced on INSERT by trigger envelopes_follow_chain_head).
//   4. `chain_head` has exactly one row. An append does not write it (the inserted row is the
//      new tip, so insert and tip cannot disagree, even across a crash); prune() moves it onto
//      the newest envelope in the same transaction, before it deletes anything, so the tip
//      survives pruning. It only moves forward, and only onto the newest stored envelope
//      (trigger chain_head_advances). Before step 3 an append moved it in its own transaction.
//   5. The acknowledgement row names the envelope's hash; an acknowledgement for another hash is
//      refused (by the code, before insert, and by trigger acknowledgements_match_envelope).
//   6. `meta` has exactly one row: the kiosk id the store belongs to. It is written when the
//      store is created and never changed; opening with another kiosk id is refused.
//   7. PRAGMA user_version is the number of migration steps applied. The code applies missing
//      steps in order, each in its own transaction, and refuses a file with a higher number.
//   8. The file named outbox.db is always a complete, initialised store: a new store is built
//      under outbox.db.creating and link()ed into place (outbox.cpp), so an empty or half-made
//      outbox.db is never ours and is reported, never "repaired" by recreating it.
//   9. No column holds when a parent submitted, nor whether it was a complaint or a survey
//      (since step 2): an envelope row keeps only its version-2 header fields, which carry no
//      time and no kind. The only clear times are days: the UTC day (00:00, Unix seconds) an
//      acknowledgement arrived, which retention counts from, and the day of the latest one.
//      (The stored acknowledgement bytes are the county's signed message and hold the county's
//      receipt second; docs/outbox.md says so.)
//  10. `version1_headers` has a row for exactly the version-1 envelopes still held: those
//      queued before step 2, whose signature covers kind, minute and form, so they cannot be
//      forwarded without them. Only step 2 writes it (trigger version1_headers_closed) and it
//      empties as they are pruned (ON DELETE CASCADE); only version 2 is appended.
#pragma once

#include "sync/store/sqlite_store.hpp"

#include <array>
#include <string_view>

namespace minsheng::outbox::schema {

/// One forward step (sync/store/sqlite_store.hpp applies them, invariant 4 there).
using sync::sqlite::MigrationStep;

// Append new steps at the end; never edit a step that has shipped.
inline constexpr std::array kMigrations = {
    MigrationStep{1, "initial schema: meta, chain_head, envelopes, acknowledgements", R"sql(
CREATE TABLE meta (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    kiosk_id  TEXT NOT NULL CHECK (length(kiosk_id) BETWEEN 1 AND 64)
);

CREATE TABLE chain_head (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_sequence  INTEGER NOT NULL CHECK (last_sequence >= 0),
    last_hash      BLOB NOT NULL CHECK (length(last_hash) = 32)
);
INSERT INTO chain_head (id, last_sequence, last_hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE envelopes (
    sequence       INTEGER PRIMARY KEY CHECK (sequence >= 1),
    version        INTEGER NOT NULL,
    kind           INTEGER NOT NULL CHECK (kind IN (1, 2)),
    kiosk_id       TEXT NOT NULL,
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    created_at     INTEGER NOT NULL CHECK (created_at % 60 = 0),
    form_id        TEXT NOT NULL,
    county_key_id  BLOB NOT NULL CHECK (length(county_key_id) = 8),
    receipt_tag    BLOB CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    ciphertext     BLOB NOT NULL,
    signature      BLOB NOT NULL CHECK (length(signature) = 64),
    envelope_hash  BLOB NOT NULL UNIQUE CHECK (length(envelope_hash) = 32)
);

CREATE TABLE acknowledgements (
    sequence       INTEGER PRIMARY KEY
                   REFERENCES envelopes (sequence) ON DELETE CASCADE,
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32),
    ack            BLOB NOT NULL CHECK (length(ack) > 0),
    received_at    INTEGER NOT NULL
);
CREATE INDEX acknowledgements_by_time ON acknowledgements (received_at);

-- Survives pruning, for stats(): the highest sequence acknowledged and when the last ack came.
CREATE TABLE ack_head (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_sequence  INTEGER,
    last_received_at INTEGER
);
INSERT INTO ack_head (id, last_sequence, last_received_at) VALUES (1, NULL, NULL);

-- Invariant 1.
CREATE TRIGGER envelopes_immutable BEFORE UPDATE ON envelopes
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 1: envelopes are immutable');
END;

-- Invariant 2.
CREATE TRIGGER envelopes_keep_unacknowledged BEFORE DELETE ON envelopes
WHEN NOT EXISTS (SELECT 1 FROM acknowledgements a
                 WHERE a.sequence = OLD.sequence AND a.envelope_hash = OLD.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 2: an unacknowledged envelope cannot be deleted');
END;

-- Invariant 3.
CREATE TRIGGER envelopes_follow_chain_head BEFORE INSERT ON envelopes
WHEN NEW.sequence IS NOT (SELECT last_sequence + 1 FROM chain_head WHERE id = 1)
  OR NEW.previous_hash IS NOT (SELECT last_hash FROM chain_head WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 3: envelope does not follow the chain head');
END;

-- Invariant 3 (the head only moves forward, one envelope at a time, onto a stored envelope).
CREATE TRIGGER chain_head_advances BEFORE UPDATE ON chain_head
WHEN NEW.last_sequence IS NOT OLD.last_sequence + 1
  OR NOT EXISTS (SELECT 1 FROM envelopes e
                 WHERE e.sequence = NEW.last_sequence AND e.envelope_hash = NEW.last_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 3: chain head must advance to the new envelope');
END;

-- Invariant 6.
CREATE TRIGGER meta_immutable BEFORE UPDATE ON meta
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 6: the kiosk id of a store never changes');
END;

-- Invariant 5.
CREATE TRIGGER acknowledgements_match_envelope BEFORE INSERT ON acknowledgements
WHEN NOT EXISTS (SELECT 1 FROM envelopes e
                 WHERE e.sequence = NEW.sequence AND e.envelope_hash = NEW.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 5: acknowledgement does not match the envelope');
END;
)sql"},
    // Rebuilds envelopes without kind, created_at and form_id, and acknowledgements with a day
    // instead of a second. Tables are copied aside, dropped child first (so the DROP's implicit
    // DELETE cascades into nothing) and rebuilt; the chain trigger is created after the copy
    // because the copied rows do not follow the head one by one. Every envelope and every
    // acknowledgement is kept (invariant 2); version-1 clear fields move to version1_headers.
    MigrationStep{2, "no submission time or kind in clear columns; acknowledgement days", R"sql(
CREATE TABLE migrating_envelopes AS SELECT * FROM envelopes;
CREATE TABLE migrating_acknowledgements AS SELECT * FROM acknowledgements;
DROP TABLE acknowledgements;
DROP TABLE envelopes;

CREATE TABLE envelopes (
    sequence       INTEGER PRIMARY KEY CHECK (sequence >= 1),
    version        INTEGER NOT NULL CHECK (version IN (1, 2)),
    kiosk_id       TEXT NOT NULL,
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    county_key_id  BLOB NOT NULL CHECK (length(county_key_id) = 8),
    receipt_tag    BLOB CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    ciphertext     BLOB NOT NULL,
    signature      BLOB NOT NULL CHECK (length(signature) = 64),
    envelope_hash  BLOB NOT NULL UNIQUE CHECK (length(envelope_hash) = 32)
);
INSERT INTO envelopes (sequence, version, kiosk_id, previous_hash, county_key_id, receipt_tag,
                       ciphertext, signature, envelope_hash)
    SELECT sequence, version, kiosk_id, previous_hash, county_key_id, receipt_tag, ciphertext,
           signature, envelope_hash FROM migrating_envelopes;

-- Invariant 10.
CREATE TABLE version1_headers (
    sequence    INTEGER PRIMARY KEY REFERENCES envelopes (sequence) ON DELETE CASCADE,
    kind        INTEGER NOT NULL CHECK (kind IN (1, 2)),
    created_at  INTEGER NOT NULL CHECK (created_at % 60 = 0),
    form_id     TEXT NOT NULL
);
INSERT INTO version1_headers (sequence, kind, created_at, form_id)
    SELECT sequence, kind, created_at, form_id FROM migrating_envelopes WHERE version = 1;

CREATE TABLE acknowledgements (
    sequence       INTEGER PRIMARY KEY
                   REFERENCES envelopes (sequence) ON DELETE CASCADE,
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32),
    ack            BLOB NOT NULL CHECK (length(ack) > 0),
    received_day   INTEGER NOT NULL CHECK (received_day % 86400 = 0)
);
CREATE INDEX acknowledgements_by_day ON acknowledgements (received_day);
INSERT INTO acknowledgements (sequence, envelope_hash, ack, received_day)
    SELECT sequence, envelope_hash, ack, received_at - (received_at % 86400 + 86400) % 86400
    FROM migrating_acknowledgements;
UPDATE ack_head SET last_received_at =
    last_received_at - (last_received_at % 86400 + 86400) % 86400 WHERE id = 1;

DROP TABLE migrating_envelopes;
DROP TABLE migrating_acknowledgements;

-- Invariant 1.
CREATE TRIGGER envelopes_immutable BEFORE UPDATE ON envelopes
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 1: envelopes are immutable');
END;

-- Invariant 2.
CREATE TRIGGER envelopes_keep_unacknowledged BEFORE DELETE ON envelopes
WHEN NOT EXISTS (SELECT 1 FROM acknowledgements a
                 WHERE a.sequence = OLD.sequence AND a.envelope_hash = OLD.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 2: an unacknowledged envelope cannot be deleted');
END;

-- Invariant 3.
CREATE TRIGGER envelopes_follow_chain_head BEFORE INSERT ON envelopes
WHEN NEW.sequence IS NOT (SELECT last_sequence + 1 FROM chain_head WHERE id = 1)
  OR NEW.previous_hash IS NOT (SELECT last_hash FROM chain_head WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 3: envelope does not follow the chain head');
END;

-- Invariant 10: only step 2 writes version-1 rows.
CREATE TRIGGER envelopes_append_version2 BEFORE INSERT ON envelopes
WHEN NEW.version IS NOT 2
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 10: only version-2 envelopes are appended');
END;
CREATE TRIGGER version1_headers_closed BEFORE INSERT ON version1_headers
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 10: version-1 headers are only migrated');
END;

-- Invariant 5.
CREATE TRIGGER acknowledgements_match_envelope BEFORE INSERT ON acknowledgements
WHEN NOT EXISTS (SELECT 1 FROM envelopes e
                 WHERE e.sequence = NEW.sequence AND e.envelope_hash = NEW.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 5: acknowledgement does not match the envelope');
END;
)sql"},
    // Fewer pages per append. envelopes loses its UNIQUE index on envelope_hash (nothing looks an
    // envelope up by hash, and the hash covers the sequence, so it is unique by construction):
    // the index cost one more page per commit. The chain head stops being rewritten on every
    // append: chain_tip (a view) is the newest envelope, or chain_head when every envelope since
    // it was pruned; prune() moves chain_head to the newest envelope before it deletes anything.
    // envelopes is rebuilt (SQLite cannot drop a UNIQUE constraint) with its two child tables,
    // dropped child first as in step 2; every row is copied back unchanged.
    MigrationStep{3, "one page less per append: no envelope_hash index, chain head kept by prune",
                  R"sql(
CREATE TABLE migrating_envelopes AS SELECT * FROM envelopes;
CREATE TABLE migrating_acknowledgements AS SELECT * FROM acknowledgements;
CREATE TABLE migrating_version1_headers AS SELECT * FROM version1_headers;
DROP TRIGGER chain_head_advances;
DROP TABLE acknowledgements;
DROP TABLE version1_headers;
DROP TABLE envelopes;

CREATE TABLE envelopes (
    sequence       INTEGER PRIMARY KEY CHECK (sequence >= 1),
    version        INTEGER NOT NULL CHECK (version IN (1, 2)),
    kiosk_id       TEXT NOT NULL,
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    county_key_id  BLOB NOT NULL CHECK (length(county_key_id) = 8),
    receipt_tag    BLOB CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    ciphertext     BLOB NOT NULL,
    signature      BLOB NOT NULL CHECK (length(signature) = 64),
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32)
);
INSERT INTO envelopes (sequence, version, kiosk_id, previous_hash, county_key_id, receipt_tag,
                       ciphertext, signature, envelope_hash)
    SELECT sequence, version, kiosk_id, previous_hash, county_key_id, receipt_tag, ciphertext,
           signature, envelope_hash FROM migrating_envelopes;

CREATE TABLE version1_headers (
    sequence    INTEGER PRIMARY KEY REFERENCES envelopes (sequence) ON DELETE CASCADE,
    kind        INTEGER NOT NULL CHECK (kind IN (1, 2)),
    created_at  INTEGER NOT NULL CHECK (created_at % 60 = 0),
    form_id     TEXT NOT NULL
);
INSERT INTO version1_headers (sequence, kind, created_at, form_id)
    SELECT sequence, kind, created_at, form_id FROM migrating_version1_headers;

CREATE TABLE acknowledgements (
    sequence       INTEGER PRIMARY KEY
                   REFERENCES envelopes (sequence) ON DELETE CASCADE,
    envelope_hash  BLOB NOT NULL CHECK (length(envelope_hash) = 32),
    ack            BLOB NOT NULL CHECK (length(ack) > 0),
    received_day   INTEGER NOT NULL CHECK (received_day % 86400 = 0)
);
CREATE INDEX acknowledgements_by_day ON acknowledgements (received_day);
INSERT INTO acknowledgements (sequence, envelope_hash, ack, received_day)
    SELECT sequence, envelope_hash, ack, received_day FROM migrating_acknowledgements;

DROP TABLE migrating_envelopes;
DROP TABLE migrating_acknowledgements;
DROP TABLE migrating_version1_headers;

-- Invariant 3: the last envelope ever appended.
CREATE VIEW chain_tip (last_sequence, last_hash) AS
SELECT CASE WHEN e.sequence > h.last_sequence THEN e.sequence ELSE h.last_sequence END,
       CASE WHEN e.sequence > h.last_sequence THEN e.envelope_hash ELSE h.last_hash END
FROM chain_head h
LEFT JOIN (SELECT sequence, envelope_hash FROM envelopes ORDER BY sequence DESC LIMIT 1) e
WHERE h.id = 1;

-- Invariant 1.
CREATE TRIGGER envelopes_immutable BEFORE UPDATE ON envelopes
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 1: envelopes are immutable');
END;

-- Invariant 2.
CREATE TRIGGER envelopes_keep_unacknowledged BEFORE DELETE ON envelopes
WHEN NOT EXISTS (SELECT 1 FROM acknowledgements a
                 WHERE a.sequence = OLD.sequence AND a.envelope_hash = OLD.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 2: an unacknowledged envelope cannot be deleted');
END;

-- Invariant 3.
CREATE TRIGGER envelopes_follow_chain_head BEFORE INSERT ON envelopes
WHEN NEW.sequence IS NOT (SELECT last_sequence + 1 FROM chain_tip)
  OR NEW.previous_hash IS NOT (SELECT last_hash FROM chain_tip)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 3: envelope does not follow the chain head');
END;

-- Invariant 4: chain_head only moves forward, onto the newest stored envelope.
CREATE TRIGGER chain_head_advances BEFORE UPDATE ON chain_head
WHEN NEW.last_sequence < OLD.last_sequence
  OR NOT EXISTS (SELECT 1 FROM envelopes e
                 WHERE e.sequence = NEW.last_sequence AND e.envelope_hash = NEW.last_hash)
  OR EXISTS (SELECT 1 FROM envelopes e WHERE e.sequence > NEW.last_sequence)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 4: chain head must move to the newest envelope');
END;

-- Invariant 10: only step 2 writes version-1 rows.
CREATE TRIGGER envelopes_append_version2 BEFORE INSERT ON envelopes
WHEN NEW.version IS NOT 2
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 10: only version-2 envelopes are appended');
END;
CREATE TRIGGER version1_headers_closed BEFORE INSERT ON version1_headers
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 10: version-1 headers are only migrated');
END;

-- Invariant 5.
CREATE TRIGGER acknowledgements_match_envelope BEFORE INSERT ON acknowledgements
WHEN NOT EXISTS (SELECT 1 FROM envelopes e
                 WHERE e.sequence = NEW.sequence AND e.envelope_hash = NEW.envelope_hash)
BEGIN
    SELECT RAISE(ABORT, 'outbox invariant 5: acknowledgement does not match the envelope');
END;
)sql"},
};

inline constexpr int kSchemaVersion = kMigrations.back().toVersion;

} // namespace minsheng::outbox::schema
