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
//  10. Staff accounts (staff_users, step 2) are never deleted, and an account's id and name never
//      change (trigger staff_users_identity, staff_users_kept): history, case events and the
//      audit log name their actor by id, so the name they show must stay the one that acted.
//      A password is stored only as its Argon2id string (crypto_pwhash_str, `$argon2id$`
//      prefix checked); the password itself is never written. An account is disabled, never
//      removed. failed_logins and locked_until are the lock-out state (staff_accounts.hpp).
//  11. Every status_history row names its actor: actor_id NULL with signed NULL is the automatic
//      已接收 entry (the system); actor_id NULL with signed set is a staff change made without a
//      named account (rows written before accounts existed, or in an office with no accounts);
//      otherwise actor_id is the account that made it. result (closing), unit (转办) and reason
//      (reopening) are kept on the row; which status needs which is case_workflow.hpp's status
//      machine, enforced there (rows from before step 2 were written without it).
//  12. Internal case events — notes, assignments, deadline extensions — live in case_events,
//      append-only (triggers case_events_append_only_*). They are never pushed to the intake
//      server and never part of the signed case status: only status_history's reply is public
//      (invariant 7).
//  13. audit_log is append-only (triggers audit_log_append_only_*): every change made through
//      the staff library and every view of a report's content appends one row — who, when, what —
//      in the same transaction as the change it records.
//  14. The statistics (period_stats.hpp) are a function of event times recorded here: envelopes'
//      recorded_at, status_history's set_at and case_events' at. Because history and events are
//      append-only and their times are the moment of recording, later work never changes the
//      figures of a period that has ended.
//  15. A merge (case_merges, step 3) joins a duplicate case to the case that is worked for both:
//      one row per merged case (merged_id is the key), never updated or deleted. A case is never
//      merged into itself, a merged case never receives merges and a case that has received
//      merges is never merged itself (trigger case_merges_flat): merges are one level deep, so
//      closing the target closes its merged cases in the same transaction without recursion.
//      Each merged case's public statuses are signed for its own receipt tag (invariant 7); the
//      other case's number is never part of a public reply.
//  16. Follow-ups (回访, follow_ups, step 3) are append-only (triggers follow_ups_append_only_*).
//      A satisfaction is stored exactly when the reporter was reached (CHECK). Only a closed case
//      whose reporter left contact details gets one (case_workflow.hpp); they are internal, like
//      case events (invariant 12).
//  17. Reply templates (reply_templates, step 3) are edited in place and disabled, never deleted
//      (trigger reply_templates_kept); each add, edit and disable appends its audit row
//      (invariant 13) in the same transaction, so the audit log holds their history. Step 3
//      inserts the default templates once.
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
    MigrationStep{2, "staff accounts, actors on history, internal case events, audit log",
                  R"sql(
-- Invariant 10.
CREATE TABLE staff_users (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    role           TEXT NOT NULL CHECK (role IN ('clerk', 'supervisor', 'auditor')),
    password_hash  TEXT NOT NULL CHECK (substr(password_hash, 1, 10) = '$argon2id$'),
    disabled       INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    failed_logins  INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until   INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
);
CREATE TRIGGER staff_users_identity BEFORE UPDATE ON staff_users
WHEN NEW.id IS NOT OLD.id OR NEW.name IS NOT OLD.name OR NEW.created_at IS NOT OLD.created_at
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 10: an account keeps its id and name');
END;
CREATE TRIGGER staff_users_kept BEFORE DELETE ON staff_users
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 10: accounts are disabled, never deleted');
END;

-- Invariant 11. Old rows keep NULL: the system or an unnamed staff member.
ALTER TABLE status_history ADD COLUMN actor_id INTEGER REFERENCES staff_users (id);
ALTER TABLE status_history ADD COLUMN result TEXT;
ALTER TABLE status_history ADD COLUMN unit TEXT;
ALTER TABLE status_history ADD COLUMN reason TEXT;

-- Invariant 12.
CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY,
    envelope_id  INTEGER NOT NULL REFERENCES cases (envelope_id),
    kind         TEXT NOT NULL CHECK (kind IN ('note', 'assign', 'extend')),
    actor_id     INTEGER REFERENCES staff_users (id),
    at           INTEGER NOT NULL,
    text         TEXT NOT NULL DEFAULT '',   -- the note, or the extension's reason
    handler_id   INTEGER REFERENCES staff_users (id),
    due_day      TEXT,                       -- extension: the new due date, YYYY-MM-DD
    CHECK ((kind = 'assign') = (handler_id IS NOT NULL)),
    CHECK ((kind = 'extend') = (due_day IS NOT NULL AND length(due_day) = 10)),
    CHECK (kind = 'assign' OR length(text) > 0)
);
CREATE INDEX case_events_by_case ON case_events (envelope_id, id);
CREATE TRIGGER case_events_append_only_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 12: case events are append-only');
END;
CREATE TRIGGER case_events_append_only_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 12: case events are append-only');
END;

-- Invariant 13.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES staff_users (id),
    action       TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    envelope_id  INTEGER REFERENCES envelopes (id),
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_by_case ON audit_log (envelope_id, id);
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 13: the audit log is append-only');
END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 13: the audit log is append-only');
END;
)sql"},
    MigrationStep{3, "merged cases, follow-ups (回访), reply templates with the defaults",
                  R"sql(
-- Invariant 15.
CREATE TABLE case_merges (
    merged_id  INTEGER PRIMARY KEY REFERENCES cases (envelope_id),
    into_id    INTEGER NOT NULL REFERENCES cases (envelope_id),
    actor_id   INTEGER REFERENCES staff_users (id),
    at         INTEGER NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    CHECK (merged_id <> into_id)
);
CREATE INDEX case_merges_by_target ON case_merges (into_id);
CREATE TRIGGER case_merges_flat BEFORE INSERT ON case_merges
WHEN EXISTS (SELECT 1 FROM case_merges WHERE merged_id = NEW.into_id)
  OR EXISTS (SELECT 1 FROM case_merges WHERE into_id = NEW.merged_id)
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 15: merges are one level deep');
END;
CREATE TRIGGER case_merges_append_only_update BEFORE UPDATE ON case_merges
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 15: merges are append-only');
END;
CREATE TRIGGER case_merges_append_only_delete BEFORE DELETE ON case_merges
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 15: merges are append-only');
END;

-- Invariant 16.
CREATE TABLE follow_ups (
    id            INTEGER PRIMARY KEY,
    envelope_id   INTEGER NOT NULL REFERENCES cases (envelope_id),
    actor_id      INTEGER REFERENCES staff_users (id),
    at            INTEGER NOT NULL,
    reached       INTEGER NOT NULL CHECK (reached IN (0, 1)),
    satisfaction  TEXT CHECK (satisfaction IN ('satisfied', 'basically_satisfied',
                                               'not_satisfied')),
    note          TEXT NOT NULL DEFAULT '',
    CHECK ((reached = 1) = (satisfaction IS NOT NULL))
);
CREATE INDEX follow_ups_by_case ON follow_ups (envelope_id, id);
CREATE INDEX follow_ups_by_time ON follow_ups (at);
CREATE TRIGGER follow_ups_append_only_update BEFORE UPDATE ON follow_ups
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 16: follow-ups are append-only');
END;
CREATE TRIGGER follow_ups_append_only_delete BEFORE DELETE ON follow_ups
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 16: follow-ups are append-only');
END;

-- Invariant 17. category NULL: for every category.
CREATE TABLE reply_templates (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
    category    TEXT CHECK (category IS NULL OR length(category) BETWEEN 1 AND 64),
    body        TEXT NOT NULL CHECK (length(body) >= 1),
    created_by  INTEGER REFERENCES staff_users (id),
    updated_at  INTEGER NOT NULL,
    disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);
CREATE TRIGGER reply_templates_kept BEFORE DELETE ON reply_templates
BEGIN
    SELECT RAISE(ABORT, 'ledger invariant 17: templates are disabled, never deleted');
END;
INSERT INTO reply_templates (title, category, body, created_by, updated_at) VALUES
  ('受理告知', NULL,
   '您好，您于{received}反映的问题（案件编号 {case}，类别：{category}）已受理，我们将在{due}前办理并答复。感谢您对“双减”工作的关心和监督。',
   NULL, 0),
  ('办理中告知', NULL,
   '您好，您反映的问题（案件编号 {case}）正在核查办理中，办理结果将于{due}前答复，请耐心等待。',
   NULL, 0),
  ('转办告知', NULL,
   '您好，您反映的问题（案件编号 {case}）涉及其他部门职责，已转交相关单位办理，办理结果将由承办单位答复。',
   NULL, 0),
  ('办结答复', NULL,
   '您好，您于{received}反映的问题（案件编号 {case}）已办结。经核查，（请填写核查情况和处理结果）。如仍有问题，欢迎再次反映。',
   NULL, 0),
  ('不予受理说明', NULL,
   '您好，您反映的事项（案件编号 {case}）不属于本平台受理范围，（请说明原因，并告知可以反映的渠道）。感谢您的理解。',
   NULL, 0);
)sql"},
};

inline constexpr int kSchemaVersion = kMigrations.back().toVersion;

} // namespace minsheng::staff::schema
