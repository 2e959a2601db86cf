// Helpers shared by the outbox tests and the crash child: a fixed kiosk signing key (so a
// separate process's envelopes can be verified), drafts, and a chain checker.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "kiosk/outbox/outbox.hpp"
#include "kiosk/outbox/outbox_schema.hpp"
#include "sync/store/sqlite_statement.hpp"
#include "sync/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <sodium.h>
#include <string>

namespace minsheng::test {

inline constexpr const char* kTestKioskId = "kiosk-test-01";

/// Deterministic, so the crash child and the test process agree on the kiosk key.
inline crypto::Ed25519KeyPair testKioskKey() {
    std::array<std::uint8_t, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i)
        seed[i] = static_cast<std::uint8_t>(0xA0 + i);
    return crypto::Ed25519KeyPair::fromSeed(seed);
}

inline crypto::SecretBytes randomStoreKey() {
    crypto::SecretBytes key(32);
    randombytes_buf(key.data(), key.size());
    return key;
}

/// A draft whose "ciphertext" is random bytes (the outbox does not open it), optionally with a
/// marker string written into the middle so a test can search the disk for it.
inline outbox::EnvelopeDraft makeDraft(std::size_t ciphertextBytes,
                                       const std::string& marker = {}) {
    outbox::EnvelopeDraft d;
    for (std::size_t i = 0; i < d.countyKeyId.size(); ++i)
        d.countyKeyId[i] = static_cast<std::uint8_t>(i + 1);
    randombytes_buf(d.receiptTag.data(), d.receiptTag.size());
    d.ciphertext.resize(ciphertextBytes);
    randombytes_buf(d.ciphertext.data(), d.ciphertext.size());
    if (!marker.empty() && marker.size() <= ciphertextBytes) {
        std::size_t at = (ciphertextBytes - marker.size()) / 2;
        std::copy(marker.begin(), marker.end(), d.ciphertext.begin() + static_cast<long>(at));
    }
    return d;
}

/// A version-1 envelope header as kiosks of the previous release signed them: kind, form and
/// minute in the clear; complaints carry a tag, surveys none.
inline crypto::EnvelopeHeader version1Header(const std::string& kioskId, std::uint64_t sequence,
                                             const crypto::Hash256& previous, bool complaint,
                                             std::int64_t createdAt) {
    crypto::EnvelopeHeader h;
    h.version = crypto::kEnvelopeVersion1;
    h.kind = complaint ? crypto::EnvelopeKind::Complaint : crypto::EnvelopeKind::Survey;
    h.kioskId = kioskId;
    h.sequence = sequence;
    h.previousHash = previous;
    h.createdAt = createdAt;
    h.formId = complaint ? "complaint" : "survey";
    for (std::size_t i = 0; i < h.countyKeyId.size(); ++i)
        h.countyKeyId[i] = static_cast<std::uint8_t>(i + 1);
    if (complaint) {
        crypto::Hash256 tag{};
        randombytes_buf(tag.data(), tag.size());
        h.receiptTag = tag;
    }
    return h;
}

/// Opens the SQLCipher file `file` with `storeKey` through the raw SQLite helpers (no outbox
/// checks), creating it when `create`, for fixtures and for reading a store's tables directly.
/// Throws, naming `who`, when it cannot.
inline sync::sqlite::DbPtr openRawOutbox(const std::filesystem::path& file,
                                         const crypto::SecretBytes& storeKey,
                                         const std::string& who, bool create = false) {
    namespace sqlite = sync::sqlite;
    sqlite::OpenSpec spec;
    spec.file = file;
    spec.create = create;
    spec.rawKey = &storeKey;
    auto db = sqlite::openDatabase(spec, [](sqlite3*, int rc) {
        return sync::StoreError{sync::StoreError::Code::Io, sqlite3_errstr(rc)};
    });
    if (!db)
        throw std::runtime_error(who + ": " + db.error().message);
    return std::move(*db);
}

/// Opens (creating it when missing) the outbox `file` with the raw SQLite helpers and brings
/// its schema to step `steps` exactly as the release that stopped there did, for fixtures of
/// older outboxes. Throws, naming `who`, when it cannot.
inline sync::sqlite::DbPtr openOutboxAtSchemaStep(const std::filesystem::path& file,
                                                  const crypto::SecretBytes& storeKey,
                                                  std::size_t steps, const std::string& who) {
    namespace sqlite = sync::sqlite;
    auto errors = [](sqlite3*, int rc) {
        return sync::StoreError{sync::StoreError::Code::Io, sqlite3_errstr(rc)};
    };
    const bool creating = !std::filesystem::exists(file);
    auto db = openRawOutbox(file, storeKey, who, creating);
    sqlite::MigrationPlan plan;
    plan.steps = std::span(outbox::schema::kMigrations.data(), steps);
    plan.creating = creating;
    plan.tooNew = [](int, int) {
        return sync::StoreError{};
    };
    plan.notThisStore = [] {
        return sync::StoreError{};
    };
    if (!sqlite::migrate(db.get(), plan, errors))
        throw std::runtime_error(who + ": migration to step " + std::to_string(steps) + " failed");
    return db;
}

/// Builds `file` as the previous release left it: outbox schema step 1 only, holding `count`
/// version-1 envelopes (alternately complaint and survey, a minute apart from `firstCreatedAt`)
/// of which the first `acknowledged` carry an acknowledgement received at `ackReceivedAt`
/// (seconds). The rows are written with the step-1 SQL, as the old code wrote them. Returns the
/// envelopes in order.
inline std::vector<crypto::Envelope> makeVersion1Outbox(const std::filesystem::path& file,
                                                        const crypto::SecretBytes& storeKey,
                                                        const crypto::Ed25519SecretKey& kioskKey,
                                                        std::size_t count, std::size_t acknowledged,
                                                        std::int64_t firstCreatedAt = 1717171200,
                                                        std::int64_t ackReceivedAt = 1717203723) {
    namespace sqlite = sync::sqlite;
    auto db = openOutboxAtSchemaStep(file, storeKey, 1, "makeVersion1Outbox");
    auto run = [&](sqlite::Stmt& s) {
        if (s.step() != SQLITE_DONE)
            throw std::runtime_error(std::string("makeVersion1Outbox: ") +
                                     sqlite3_errmsg(db.get()));
    };
    sqlite::Stmt meta(db.get(), "INSERT INTO meta (id, kiosk_id) VALUES (1, ?1)");
    meta.bindText(1, kTestKioskId);
    run(meta);
    std::vector<crypto::Envelope> out;
    crypto::Hash256 previous{};
    for (std::size_t i = 0; i < count; ++i) {
        crypto::Bytes ct(1072 + 16 * i);
        randombytes_buf(ct.data(), ct.size());
        auto e =
            crypto::signEnvelope(version1Header(kTestKioskId, i + 1, previous, i % 2 == 0,
                                                firstCreatedAt + 60 * static_cast<std::int64_t>(i)),
                                 std::move(ct), kioskKey);
        const crypto::Hash256 hash = crypto::envelopeHash(e);
        const auto& h = e.header;
        sqlite::Stmt ins(db.get(),
                         "INSERT INTO envelopes (sequence, version, kind, kiosk_id, previous_hash, "
                         "created_at, form_id, county_key_id, receipt_tag, ciphertext, signature, "
                         "envelope_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                         "?12)");
        ins.bind(1, static_cast<std::int64_t>(h.sequence))
            .bind(2, h.version)
            .bind(3, static_cast<std::int64_t>(h.kind))
            .bindText(4, h.kioskId)
            .bindBlob(5, h.previousHash)
            .bind(6, h.createdAt)
            .bindText(7, h.formId)
            .bindBlob(8, h.countyKeyId)
            .bindBlob(10, e.ciphertext)
            .bindBlob(11, e.signature)
            .bindBlob(12, hash);
        if (h.receiptTag)
            ins.bindBlob(9, *h.receiptTag);
        else
            ins.bindNull(9);
        run(ins);
        sqlite::Stmt head(db.get(),
                          "UPDATE chain_head SET last_sequence = ?1, last_hash = ?2 WHERE id = 1");
        head.bind(1, static_cast<std::int64_t>(h.sequence)).bindBlob(2, hash);
        run(head);
        if (i < acknowledged) {
            const std::string ack = "ack of " + std::to_string(i + 1);
            sqlite::Stmt a(db.get(), "INSERT INTO acknowledgements (sequence, envelope_hash, ack, "
                                     "received_at) VALUES (?1, ?2, ?3, ?4)");
            a.bind(1, static_cast<std::int64_t>(h.sequence))
                .bindBlob(2, hash)
                .bindBlob(3, crypto::asBytes(ack))
                .bind(4, ackReceivedAt);
            run(a);
            sqlite::Stmt ah(db.get(), "UPDATE ack_head SET last_sequence = ?1, "
                                      "last_received_at = ?2 WHERE id = 1");
            ah.bind(1, static_cast<std::int64_t>(h.sequence)).bind(2, ackReceivedAt);
            run(ah);
        }
        previous = hash;
        out.push_back(std::move(e));
    }
    return out;
}

/// An outbox as the release with schema version 2 left it: makeVersion1Outbox's envelopes
/// migrated by step 2, then `appended` version-2 envelopes appended the way that release did
/// (insert, then move chain_head). Returns every envelope, oldest first.
inline std::vector<crypto::Envelope>
makeVersion2Outbox(const std::filesystem::path& file, const crypto::SecretBytes& storeKey,
                   const crypto::Ed25519SecretKey& kioskKey, std::size_t version1Count,
                   std::size_t acknowledged, std::size_t appended) {
    auto out = makeVersion1Outbox(file, storeKey, kioskKey, version1Count, acknowledged);
    namespace sqlite = sync::sqlite;
    auto db = openOutboxAtSchemaStep(file, storeKey, 2, "makeVersion2Outbox");
    auto run = [&](sqlite::Stmt& s) {
        if (s.step() != SQLITE_DONE)
            throw std::runtime_error(std::string("makeVersion2Outbox: ") +
                                     sqlite3_errmsg(db.get()));
    };
    crypto::Hash256 previous = out.empty() ? crypto::Hash256{} : crypto::envelopeHash(out.back());
    for (std::size_t i = 0; i < appended; ++i) {
        crypto::EnvelopeHeader h;
        h.version = crypto::kEnvelopeVersion;
        h.kioskId = kTestKioskId;
        h.sequence = out.size() + 1;
        h.previousHash = previous;
        h.countyKeyId = crypto::KeyId{1, 2, 3, 4, 5, 6, 7, 8};
        crypto::Hash256 tag{};
        randombytes_buf(tag.data(), tag.size());
        h.receiptTag = tag;
        crypto::Bytes ct(1072);
        randombytes_buf(ct.data(), ct.size());
        auto e = crypto::signEnvelope(h, std::move(ct), kioskKey);
        const crypto::Hash256 hash = crypto::envelopeHash(e);
        sqlite::Stmt ins(db.get(), "INSERT INTO envelopes (sequence, version, kiosk_id, "
                                   "previous_hash, county_key_id, receipt_tag, ciphertext, "
                                   "signature, envelope_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                                   "?7, ?8, ?9)");
        ins.bind(1, static_cast<std::int64_t>(h.sequence))
            .bind(2, h.version)
            .bindText(3, h.kioskId)
            .bindBlob(4, h.previousHash)
            .bindBlob(5, h.countyKeyId)
            .bindBlob(6, tag)
            .bindBlob(7, e.ciphertext)
            .bindBlob(8, e.signature)
            .bindBlob(9, hash);
        run(ins);
        sqlite::Stmt head(db.get(),
                          "UPDATE chain_head SET last_sequence = ?1, last_hash = ?2 WHERE id = 1");
        head.bind(1, static_cast<std::int64_t>(h.sequence)).bindBlob(2, hash);
        run(head);
        previous = hash;
        out.push_back(std::move(e));
    }
    return out;
}

/// Every column name of every table of the SQLCipher file `file` opened with `storeKey`, as
/// "table.column".
inline std::vector<std::string> outboxColumns(const std::filesystem::path& file,
                                              const crypto::SecretBytes& storeKey) {
    namespace sqlite = sync::sqlite;
    auto db = openRawOutbox(file, storeKey, "outboxColumns");
    std::vector<std::string> tables;
    {
        sqlite::Stmt s(db.get(), "SELECT name FROM sqlite_master WHERE type = 'table'");
        while (s.step() == SQLITE_ROW)
            tables.push_back(s.text(0));
    }
    std::vector<std::string> columns;
    for (const auto& t : tables) {
        sqlite::Stmt s(db.get(), ("PRAGMA table_info(\"" + t + "\")").c_str());
        while (s.step() == SQLITE_ROW)
            columns.push_back(t + "." + s.text(1));
    }
    return columns;
}

/// Checks signatures and the chain from `verifier`'s state; returns "" or what is wrong.
inline std::string checkChain(const std::vector<outbox::StoredEnvelope>& envelopes,
                              const crypto::Ed25519PublicKey& kioskKey,
                              crypto::ChainVerifier& verifier) {
    for (const auto& e : envelopes) {
        std::string where = "envelope " + std::to_string(e.envelope.header.sequence) + ": ";
        if (auto v = crypto::verifyEnvelope(e.envelope, kioskKey); !v)
            return where + std::string(crypto::envelopeFailureName(v.error()));
        if (auto c = verifier.accept(e.envelope); !c)
            return where + std::string(crypto::envelopeFailureName(c.error()));
        if (crypto::envelopeHash(e.envelope) != e.hash)
            return where + "stored hash differs from the recomputed one";
    }
    return {};
}

} // namespace minsheng::test
