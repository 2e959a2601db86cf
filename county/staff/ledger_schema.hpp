// The case ledger's schema and its forward migrations.
//
// The ledger is one SQLCipher file, DIR/ledger.db, on the staff machine. It holds what parents
// wrote in clear text inside the encrypted pages (the staff tool verified and opened every
// envelope before recording it), so its key is derived from the staff passphrase or kept in a
// 0600 file (ledger_key.hpp). Pages are encrypted and authenticated (SQLCipher 3 defaults,
// 4096-byte pages); journal_mode = WAL and synchronous = FULL are set on every open
// (sync/store/sqlite_store.hpp, through ledger.cpp).
//
// Invariants (checked by triggers and CHECK constraints where SQL can express them, and by
// tests/staff):
//   1. An envelope is recorded once per (kiosk, sequence) and once per envelope hash. Envelope
//      rows are never updated or deleted (triggers envelopes_immutable, envelopes_kept).
//   2. A second, different envelope for a recorded (kiosk, sequence) is never recorded: it
//      raises a `fork` alarm instead. An envelope whose previous hash disagrees with a recorded
//      neighbour raises a `chain-break` alarm. Alarms are append-only.
//   3. An envelope is recorded only after the staff tool itself checked it (registry, signature,
//      chain against this ledger, the server's acknowledgement when it came over the network)
//      and opened it with the county sealing key. It trusts neither the server nor the USB stick.
//   4. The pull cursor and everything recorded from the page it covers are committed in one
//      transaction, so a crash mid-pull neither loses nor duplicates an envelope. The cursor
//      never moves back (trigger meta_cursor_forward).
//   5. Every status change is appended to status_history and never edited or deleted
//      (triggers status_history_append_only_*). cases.status, .reply and .updated_at are a
//      projection of the newest history row (trigger cases_follow_history), changed in the same
//      transaction as the history row is appended.
//   6. Anonymous reports never have identity columns filled (CHECK on cases), and their stored
//      answers carry no contact_* field (ledger.cpp strips them before insert).
//   7. A staff status change is pushed to the intake server from the queue `status_pushes`: a
//      history row counts as pushed only once the server answered 200, so a change made while the
//      server is down is kept and pushed at the next pull or case set.
//   8. PRAGMA user_version is the number of migration steps applied; a newer file is refused,
//      never downgraded.
//   9. DIR/ledger.db is always a complete ledger: a new one is built under ledger.db.creating and
//      link()ed into place, so an empty or foreign ledger.db is reported, never recreated.
#pragma once

#include "sync/store/sqlite_store.hpp"

#include <array>
#include <string_view>

namespace minsheng::staff::schema {

/// One forward step (sync/store/sqlite_store.hpp applies them, invariant 4 there).
using sync::sqlite::MigrationStep;

// Append new steps at the end; never edit a step that has shipped.
inline constexpr std::array kMigrations = {
    MigrationStep{1, "initial schema: meta, envelopes, acks, cases, history, pushes, alarms",
                  R"sql(
CREATE TABLE meta (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    created_at  INTEGER NOT NULL,
    cursor      INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0)
);

-- One row per verified, opened envelope (complaints and surveys).
CREATE TABLE envelopes (
    id             INTEGER PRIMARY KEY,
    kiosk_id       TEXT NOT NULL CHECK (length(kiosk_id) BETWEEN 1 AND 64),
    sequence       INTEGER NOT NULL CHECK (sequence >= 1),
    envelope_hash  BLOB NOT NULL UNIQUE CHECK (length(envelope_hash) = 32),
    previous_hash  BLOB NOT NULL CHECK (length(previous_hash) = 32),
    kind           TEXT NOT NULL CHECK (kind IN ('complaint', 'survey')),
    form_id        TEXT NOT NULL,
    form_version   INTEGER NOT NULL,
    locale         TEXT NOT NULL,
    created_at     INTEGER NOT NULL CHECK (created_at % 60 = 0),
    receipt_tag    BLOB UNIQUE CHECK (receipt_tag IS NULL OR length(receipt_tag) = 32),
    wire           TEXT NOT NULL,   -- the envelope's wire JSON, to verify it again at any time
    answers        TEXT NOT NULL,   -- the opened answers (JSON object), contact stripped if anonymous
    source         TEXT NOT NULL CHECK (source IN ('network', 'import')),
    recorded_at    INTEGER NOT NULL,
    UNIQUE (kiosk_id, sequence),
    CHECK ((kind = 'complaint') = (receipt_tag IS NOT NULL))
);

-- The intake server's signed acknowledgement, for envelopes that came over the network.
CREATE TABLE acks (
    envelope_id  INTEGER PRIMARY KEY REFERENCES envelopes (id),
    ack          TEXT NOT NULL,
    received_at  INTEGER NOT NULL
);

-- One row per complaint: the case. Identity columns only for real-name reports (invariant 6).
CREATE TABLE cases (
    envelope_id    INTEGER PRIMARY KEY REFERENCES envelopes (id),
    receipt_tag    BLOB NOT NULL UNIQUE CHECK (length(receipt_tag) = 32),
    category       TEXT NOT NULL DEFAULT '',
    school         TEXT NOT NULL DEFAULT '',
    district       TEXT NOT NULL DEFAULT '',
    township       TEXT NOT NULL DEFAULT '',
    community      TEXT NOT NULL DEFAULT '',
    anonymous      INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    contact_name   TEXT,
    contact_phone  TEXT,
    received_at    INTEGER NOT NULL,
    status         INTEGER NOT NULL CHECK (status BETWEEN 1 AND 6),
    updated_at     INTEGER NOT NULL,
    reply          TEXT NOT NULL DEFAULT '',
    CHECK (anonymous = 0 OR (contact_name IS NULL AND contact_phone IS NULL))
);
CREATE INDEX cases_by_status ON cases (status);

-- Every status a case has had, oldest first. `signed` is the county-signed case status JSON
-- (NULL for the automatic 已接收 entry made when the complaint is recorded).
CREATE TABLE status_history (
    id           INTEGER PRIMARY KEY,
    envelope_id  INTEGER NOT NULL REFERENCES cases (envelope_id),
    status       INTEGER NOT NULL CHECK (status BETWEEN 1 AND 6),
    reply        TEXT NOT NULL DEFAULT '',
    set_at       INTEGER NOT NULL,
    signed       TEXT
);
CREATE INDEX status_history_by_case ON status_history (envelope_id, id);

-- Invariant 7: a row here means the server accepted that history entry.
CREATE TABLE status_pushes (
    history_id  INTEGER PRIMARY KEY REFERENCES status_history (id),
    pushed_at   INTEGER NOT NULL
);

CREATE TABLE alarms (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('fork', 'chain-break', 'rejected', 'bad-ack',
                                                 'bad-payload', 'revoked-kiosk')),
    kiosk_id       TEXT NOT NULL DEFAULT '',
    sequence       INTEGER NOT NULL DEFAULT 0,
    envelope_hash  BLOB,
    source         TEXT NOT NULL,
    detail         TEXT NOT NULL,
    wire           TEXT,
    raised_at      INTEGER NOT NULL
);

-- Invariant 1.
CREATE TRIGGER envelopes_immutable BEFORE UPDATE ON envelopes
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 1: envelopes are immutable');
END;
CREATE TRIGGER envelopes_kept BEFORE DELETE ON envelopes
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 1: envelopes are never deleted');
END;
CREATE TRIGGER acks_immutable BEFORE UPDATE ON acks
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 1: acknowledgements are immutable');
END;
CREATE TRIGGER acks_kept BEFORE DELETE ON acks
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 1: acknowledgements are never deleted');
END;

-- Invariant 2.
CREATE TRIGGER alarms_append_only_update BEFORE UPDATE ON alarms
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 2: alarms are append-only');
END;
CREATE TRIGGER alarms_append_only_delete BEFORE DELETE ON alarms
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 2: alarms are append-only');
END;

-- Invariant 4.
CREATE TRIGGER meta_cursor_forward BEFORE UPDATE ON meta
WHEN NEW.cursor < OLD.cursor OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 4: the pull cursor never moves back');
END;

-- Invariant 5.
CREATE TRIGGER status_history_append_only_update BEFORE UPDATE ON status_history
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 5: status history is append-only');
END;
CREATE TRIGGER status_history_append_only_delete BEFORE DELETE ON status_history
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 5: status history is append-only');
END;
CREATE TRIGGER cases_follow_history BEFORE UPDATE ON cases
WHEN NOT EXISTS (SELECT 1 FROM status_history h
                 WHERE h.id = (SELECT max(id) FROM status_history
                               WHERE envelope_id = NEW.envelope_id)
                   AND h.status = NEW.status AND h.reply = NEW.reply AND h.set_at = NEW.updated_at)
  OR NEW.envelope_id IS NOT OLD.envelope_id OR NEW.receipt_tag IS NOT OLD.receipt_tag
  OR NEW.category IS NOT OLD.category OR NEW.school IS NOT OLD.school
  OR NEW.district IS NOT OLD.district OR NEW.township IS NOT OLD.township
  OR NEW.community IS NOT OLD.community OR NEW.anonymous IS NOT OLD.anonymous
  OR NEW.contact_name IS NOT OLD.contact_name OR NEW.contact_phone IS NOT OLD.contact_phone
  OR NEW.received_at IS NOT OLD.received_at
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 5: a case changes only with a new history entry');
END;
CREATE TRIGGER cases_kept BEFORE DELETE ON cases
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 5: cases are never deleted');
END;
CREATE TRIGGER status_pushes_immutable BEFORE UPDATE ON status_pushes
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 7: a push record is immutable');
END;
)sql"},
};

inline constexpr int kSchemaVersion = kMigrations.back().toVersion;

} // namespace minsheng::staff::schema
