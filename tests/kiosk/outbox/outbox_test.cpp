// Outbox semantics, the chain, encryption at rest, and refusing bad files, keys and folders.
#include "kiosk/outbox/outbox.hpp"
#include "tests/kiosk/outbox/outbox_test_support.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::sync;
using namespace minsheng::outbox;
using minsheng::test::TempDir;
using Code = StoreError::Code;

namespace {

Outbox openOk(const fs::path& file, const crypto::SecretBytes& key,
              OpenMode mode = OpenMode::CreateIfMissing, std::string kioskId = test::kTestKioskId) {
    auto r = Outbox::open(file, key, std::move(kioskId), mode);
    if (!r)
        FAIL("open failed: " << r.error().message);
    return std::move(r.value());
}

AppendedEnvelope appendOk(Outbox& box, const crypto::Ed25519SecretKey& key,
                          std::size_t size = 1200) {
    auto r = box.append(test::makeDraft(size), key);
    if (!r)
        FAIL("append failed: " << r.error().message);
    return std::move(r.value());
}

std::vector<StoredEnvelope> allOk(Outbox& box) {
    auto r = box.allEnvelopes();
    if (!r)
        FAIL("allEnvelopes failed: " << r.error().message);
    return std::move(r.value());
}

/// Runs SQL on the store directly (SQLCipher API), to set up states the Outbox never makes.
void rawExec(const fs::path& file, const crypto::SecretBytes& key, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    std::string k = "x'" + crypto::toHex(key.span()) + "'";
    REQUIRE(sqlite3_key(db, k.data(), static_cast<int>(k.size())) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr) ==
            SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string msg = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    INFO(msg);
    REQUIRE(rc == SQLITE_OK);
}

/// Opens with the given key and page size and reads the schema; returns SQLite's result code.
int rawReadable(const fs::path& file, const crypto::SecretBytes& key, int pageSize) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::string k = "x'" + crypto::toHex(key.span()) + "'";
    sqlite3_key(db, k.data(), static_cast<int>(k.size()));
    std::string pragma = "PRAGMA cipher_page_size = " + std::to_string(pageSize);
    sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr);
    int rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    return rc;
}

std::string dirListing(const fs::path& dir) {
    std::string out;
    for (auto& e : fs::directory_iterator(dir))
        out += e.path().filename().string() + "\n";
    return out;
}

} // namespace

TEST_CASE("append, pending, acknowledge, prune and stats", "[outbox]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    auto box = openOk(dir / kOutboxFileName, key);

    auto empty = box.stats();
    REQUIRE(empty);
    CHECK(empty->pendingCount == 0);
    CHECK(empty->lastSequence == 0);
    CHECK_FALSE(empty->lastAcknowledgedSequence);
    CHECK_FALSE(empty->lastAcknowledgedDay);

    std::vector<AppendedEnvelope> added;
    for (int i = 0; i < 5; ++i)
        added.push_back(appendOk(box, kiosk.secretKey, 1100 + 100 * i));
    for (std::size_t i = 0; i < added.size(); ++i) {
        CHECK(added[i].envelope.header.sequence == i + 1);
        CHECK(added[i].envelope.header.kioskId == test::kTestKioskId);
    }

    // pending: order, limit, afterSequence.
    auto p = box.pending(3);
    REQUIRE(p);
    REQUIRE(p->size() == 3);
    CHECK(p->at(0).envelope.header.sequence == 1);
    CHECK(p->at(2).envelope.header.sequence == 3);
    CHECK(p->at(1).hash == added[1].hash);
    CHECK(p->at(1).envelope.ciphertext == added[1].envelope.ciphertext);
    auto rest = box.pending(10, 3);
    REQUIRE(rest);
    REQUIRE(rest->size() == 2);
    CHECK(rest->at(0).envelope.header.sequence == 4);

    // acknowledge 1 and 2; idempotent; wrong hash and unknown sequence refused.
    const std::string ackText = "county-ack-1";
    auto ack = crypto::asBytes(ackText);
    auto a1 = box.acknowledge(1, added[0].hash, ack, 1717200000);
    REQUIRE(a1);
    CHECK(*a1 == AckOutcome::Stored);
    auto a1again = box.acknowledge(1, added[0].hash, ack, 1717200000);
    REQUIRE(a1again);
    CHECK(*a1again == AckOutcome::AlreadyStored);
    auto wrong = box.acknowledge(3, added[0].hash, ack, 1717200000);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Code::AckMismatch);
    auto unknown = box.acknowledge(99, added[0].hash, ack, 1717200000);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == Code::UnknownEnvelope);
    // Ack 1 on day D = 1717200000 (00:00 UTC), ack 2 an hour into day D + 1.
    REQUIRE(box.acknowledge(2, added[1].hash, ack, 1717290000));

    auto stored = box.envelope(1);
    REQUIRE(stored);
    REQUIRE(stored->acknowledgement);
    CHECK(stored->acknowledgement->bytes == crypto::Bytes(ack.begin(), ack.end()));
    CHECK(stored->acknowledgement->receivedDay == 1717200000);
    auto stored2 = box.envelope(2);
    REQUIRE(stored2);
    REQUIRE(stored2->acknowledgement);
    CHECK(stored2->acknowledgement->receivedDay == 1717286400); // the day, not the second
    auto stillPending = box.envelope(3);
    REQUIRE(stillPending);
    CHECK_FALSE(stillPending->acknowledgement);

    auto pendingNow = box.pending(10);
    REQUIRE(pendingNow);
    REQUIRE(pendingNow->size() == 3);
    CHECK(pendingNow->front().envelope.header.sequence == 3);

    auto st = box.stats();
    REQUIRE(st);
    CHECK(st->pendingCount == 3);
    CHECK(st->acknowledgedCount == 2);
    CHECK(st->lastSequence == 5);
    CHECK(st->lastAcknowledgedSequence == 2u);
    CHECK(st->lastAcknowledgedDay == 1717286400);
    CHECK(st->fileBytes > 0);

    // prune: retention measured from the end of the ack's day; pending ones are never touched.
    auto none = box.prune(1717286400 + 3600 - 1, 3600); // day D ended 3599 s before
    REQUIRE(none);
    CHECK(*none == 0);
    auto one = box.prune(1717286400 + 3600, 3600); // day D ended a whole retention period ago

    REQUIRE(one);
    CHECK(*one == 1);
    CHECK(box.envelope(1).error().code == Code::UnknownEnvelope);
    auto all = box.prune(1717286400 + 10'000'000, 0);
    REQUIRE(all);
    CHECK(*all == 1);
    auto after = box.stats();
    REQUIRE(after);
    CHECK(after->pendingCount == 3);
    CHECK(after->acknowledgedCount == 0);
    CHECK(after->lastSequence == 5);              // the head survives pruning
    CHECK(after->lastAcknowledgedSequence == 2u); // and so does the ack progress
    auto remaining = allOk(box);
    REQUIRE(remaining.size() == 3);
    CHECK(remaining.front().envelope.header.sequence == 3);

    // An acknowledgement for a pruned envelope is reported, not silently accepted.
    CHECK(box.acknowledge(1, added[0].hash, ack, 1).error().code == Code::UnknownEnvelope);
}

TEST_CASE("acknowledgeAll records a batch in one transaction, up to the first that fails",
          "[outbox]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    auto box = openOk(dir / kOutboxFileName, key);
    std::vector<AppendedEnvelope> added;
    for (int i = 0; i < 6; ++i)
        added.push_back(appendOk(box, kiosk.secretKey, 1100));
    const std::string ackText = "county-ack";
    const auto ack = crypto::asBytes(ackText);
    REQUIRE(box.acknowledge(2, added[1].hash, ack, 1717200000));

    // 1 new, 2 already stored, 3 new, then 5 with 4's hash: a mismatch stops the batch there.
    const std::vector<AcknowledgementToStore> batch{{1, added[0].hash, ack, 1717200100},
                                                    {2, added[1].hash, ack, 1717200100},
                                                    {3, added[2].hash, ack, 1717200100},
                                                    {5, added[3].hash, ack, 1717200100},
                                                    {6, added[5].hash, ack, 1717200100}};
    const AcknowledgedBatch recorded = box.acknowledgeAll(batch);
    CHECK(recorded.stored == 2);
    REQUIRE(recorded.error);
    CHECK(recorded.error->code == Code::AckMismatch);
    CHECK(recorded.failedSequence == std::optional<std::uint64_t>{5});
    auto pending = box.pending(10);
    REQUIRE(pending);
    std::vector<std::uint64_t> left;
    for (const auto& e : *pending)
        left.push_back(e.envelope.header.sequence);
    CHECK(left == std::vector<std::uint64_t>{4, 5, 6}); // 1..3 recorded, nothing after the failure
    auto stats = box.stats();
    REQUIRE(stats);
    CHECK(stats->lastAcknowledgedSequence == std::optional<std::uint64_t>{3});

    // The rest in one call; an empty batch changes nothing.
    const std::vector<AcknowledgementToStore> rest{{4, added[3].hash, ack, 1717200200},
                                                   {5, added[4].hash, ack, 1717200200},
                                                   {6, added[5].hash, ack, 1717200200}};
    const AcknowledgedBatch all = box.acknowledgeAll(rest);
    CHECK_FALSE(all.error);
    CHECK(all.stored == 3);
    CHECK(box.acknowledgeAll({}).stored == 0);
    pending = box.pending(10);
    REQUIRE(pending);
    CHECK(pending->empty());
}

TEST_CASE("the schema itself refuses to delete unacknowledged envelopes", "[outbox][invariant]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    {
        auto box = openOk(dir / kOutboxFileName, key);
        appendOk(box, kiosk.secretKey);
        appendOk(box, kiosk.secretKey);
    }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2((dir / kOutboxFileName).c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) ==
            SQLITE_OK);
    std::string k = "x'" + crypto::toHex(key.span()) + "'";
    sqlite3_key(db, k.data(), static_cast<int>(k.size()));
    sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr);
    CHECK(sqlite3_exec(db, "DELETE FROM envelopes WHERE sequence = 1", nullptr, nullptr, nullptr) ==
          SQLITE_CONSTRAINT);
    CHECK(sqlite3_exec(db, "UPDATE envelopes SET receipt_tag = NULL", nullptr, nullptr, nullptr) ==
          SQLITE_CONSTRAINT);
    // Version-1 clear fields are only ever migrated, never written afterwards.
    CHECK(sqlite3_exec(db,
                       "INSERT INTO version1_headers (sequence, kind, created_at, form_id) "
                       "VALUES (1, 1, 1717171200, 'complaint')",
                       nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
    CHECK(sqlite3_exec(db, "UPDATE chain_head SET last_sequence = 7", nullptr, nullptr, nullptr) ==
          SQLITE_CONSTRAINT);
    sqlite3_close(db);
    auto box = openOk(dir / kOutboxFileName, key, OpenMode::MustExist);
    CHECK(allOk(box).size() == 2);
}

TEST_CASE("invalid drafts are refused before anything is stored", "[outbox]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    auto box = openOk(dir / kOutboxFileName, key);
    auto tooShort = test::makeDraft(100);
    CHECK(box.append(tooShort, kiosk.secretKey).error().code == Code::InvalidInput);
    auto tooLong = test::makeDraft(crypto::kMaxCiphertextBytes + 1);
    CHECK(box.append(tooLong, kiosk.secretKey).error().code == Code::InvalidInput);
    CHECK(box.stats()->lastSequence == 0);
    CHECK(appendOk(box, kiosk.secretKey).envelope.header.sequence == 1);
}

TEST_CASE("stored envelopes verify and chain, across reopen and prune", "[outbox][chain]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    crypto::Hash256 lastHash{};
    {
        auto box = openOk(file, key);
        for (int i = 0; i < 4; ++i)
            lastHash = appendOk(box, kiosk.secretKey).hash;
    }
    {
        auto box = openOk(file, key, OpenMode::MustExist);
        auto next = appendOk(box, kiosk.secretKey);
        CHECK(next.envelope.header.sequence == 5);
        CHECK(next.envelope.header.previousHash == lastHash);
        // Acknowledge and prune everything, then keep appending: the head outlives the rows.
        for (auto& e : allOk(box))
            REQUIRE(
                box.acknowledge(e.envelope.header.sequence, e.hash, crypto::asBytes("ack"), 10));
        REQUIRE(*box.prune(86400, 0) == 5); // acknowledged on day 0, which has ended
        lastHash = next.hash;
    }
    auto box = openOk(file, key, OpenMode::MustExist);
    auto six = appendOk(box, kiosk.secretKey);
    CHECK(six.envelope.header.sequence == 6);
    CHECK(six.envelope.header.previousHash == lastHash);
    appendOk(box, kiosk.secretKey);

    crypto::ChainVerifier fromFive(5, lastHash);
    CHECK(test::checkChain(allOk(box), kiosk.publicKey, fromFive) == "");
    CHECK(fromFive.lastSequence() == 7);

    // The chain checker is not vacuous: another kiosk key and a gap are both caught.
    auto other = crypto::Ed25519KeyPair::generate();
    crypto::ChainVerifier v2(5, lastHash);
    CHECK(test::checkChain(allOk(box), other.publicKey, v2) != "");
    crypto::ChainVerifier fromStart;
    CHECK(test::checkChain(allOk(box), kiosk.publicKey, fromStart) != "");
}

TEST_CASE("the outbox file is encrypted at rest", "[outbox][at-rest]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    const std::string marker = "MINSHENG-PLAINTEXT-MARKER-7f3a9c";

    auto scan = [&](const char* when) {
        INFO(when);
        for (auto& e : fs::directory_iterator(dir.path())) {
            std::string bytes = test::readFile(e.path());
            INFO(e.path().string());
            CHECK(bytes.find(marker) == std::string::npos);
            CHECK(bytes.find(test::kTestKioskId) == std::string::npos);
        }
    };
    {
        auto box = openOk(file, key);
        auto draft = test::makeDraft(4000, marker);
        REQUIRE(box.append(draft, kiosk.secretKey));
        // The envelope really holds the marker, so finding none on disk means something.
        auto stored = box.envelope(1);
        REQUIRE(stored);
        std::string ct(stored->envelope.ciphertext.begin(), stored->envelope.ciphertext.end());
        REQUIRE(ct.find(marker) != std::string::npos);
        REQUIRE(fs::exists(dir / "outbox.db-wal")); // the data is in the WAL right now
        scan("while open (WAL present)");
    }
    scan("after close");
    std::string head = test::readFile(file).substr(0, 16);
    CHECK(head != std::string("SQLite format 3\0", 16));
    CHECK(fs::file_size(file) % 4096 == 0);
    // cipher_page_size really is 4096: SQLCipher 3.4's default of 1024 cannot read the file.
    CHECK(rawReadable(file, key, 4096) == SQLITE_OK);
    CHECK(rawReadable(file, key, 1024) == SQLITE_NOTADB);
}

TEST_CASE("a wrong key is refused and the file is left unchanged", "[outbox][open]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    {
        auto box = openOk(file, key);
        appendOk(box, kiosk.secretKey);
    }
    const std::string before = test::readFile(file);
    const std::string listing = dirListing(dir.path());
    auto otherKey = test::randomStoreKey();
    for (OpenMode mode : {OpenMode::MustExist, OpenMode::CreateIfMissing}) {
        auto r = Outbox::open(file, otherKey, test::kTestKioskId, mode);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::WrongKeyOrNotAnOutbox);
        CHECK_THAT(r.error().message, Catch::Contains(file.string()));
        CHECK_THAT(r.error().message, Catch::Contains("Do not delete"));
    }
    CHECK(test::readFile(file) == before);
    CHECK(dirListing(dir.path()) == listing);
    auto box = openOk(file, key, OpenMode::MustExist);
    CHECK(allOk(box).size() == 1);
}

TEST_CASE("damaged or foreign files are reported and never recreated", "[outbox][open]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    {
        auto box = openOk(file, key);
        for (int i = 0; i < 40; ++i) // ~40 overflow pages of 4 KiB: a file with a middle
            appendOk(box, kiosk.secretKey, 5000);
    }
    const std::string good = test::readFile(file);
    REQUIRE(good.size() > 20 * 4096);

    std::string damaged;
    std::vector<Code> expected;
    SECTION("truncated to half") {
        damaged = good.substr(0, good.size() / 2);
        expected = {Code::Corrupt, Code::WrongKeyOrNotAnOutbox};
    }
    SECTION("truncated to less than one page") {
        damaged = good.substr(0, 1000);
        expected = {Code::Corrupt, Code::WrongKeyOrNotAnOutbox};
    }
    SECTION("random garbage of the same size") {
        damaged.resize(good.size());
        randombytes_buf(damaged.data(), damaged.size());
        expected = {Code::WrongKeyOrNotAnOutbox};
    }
    SECTION("one page in the middle overwritten") {
        damaged = good;
        std::size_t page = (good.size() / 4096) / 2;
        for (std::size_t i = 0; i < 4096; ++i)
            damaged[page * 4096 + i] = static_cast<char>(randombytes_uniform(256));
        expected = {Code::Corrupt};
    }
    SECTION("a single byte flipped in the middle page") {
        damaged = good;
        damaged[(good.size() / 4096) / 2 * 4096 + 100] ^= 0x01;
        expected = {Code::Corrupt};
    }
    SECTION("empty file") {
        expected = {Code::Corrupt};
    }
    SECTION("a plain SQLite database") {
        fs::remove(file);
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
        REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
        sqlite3_close(db);
        damaged = test::readFile(file);
        expected = {Code::WrongKeyOrNotAnOutbox};
    }
    test::writeFile(file, damaged);
    for (OpenMode mode : {OpenMode::MustExist, OpenMode::CreateIfMissing}) {
        auto r = Outbox::open(file, key, test::kTestKioskId, mode);
        REQUIRE_FALSE(r);
        INFO(storeErrorCodeName(r.error().code) << ": " << r.error().message);
        CHECK(std::find(expected.begin(), expected.end(), r.error().code) != expected.end());
        CHECK_THAT(r.error().message, Catch::Contains(file.string()));
        // Never recreated, never "repaired": the bytes are exactly what we wrote.
        CHECK(test::readFile(file) == damaged);
    }
}

TEST_CASE("missing stores, folders and identities", "[outbox][open]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;

    SECTION("MustExist on a missing file is Missing and creates nothing") {
        auto r = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::Missing);
        CHECK(fs::is_empty(dir.path()));
    }
    SECTION("a missing data folder is Missing") {
        auto r = Outbox::open(dir / "nope" / kOutboxFileName, key, test::kTestKioskId,
                              OpenMode::CreateIfMissing);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::Missing);
        CHECK_THAT(r.error().message, Catch::Contains("nope"));
    }
    SECTION("main file gone but its WAL left behind: not recreated") {
        test::writeFile(dir / "outbox.db-wal", std::string(4096, 'w'));
        auto r = Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::Missing);
        CHECK_FALSE(fs::exists(file));
    }
    SECTION("another kiosk's store is refused") {
        { openOk(file, key); }
        const std::string before = test::readFile(file);
        auto r = Outbox::open(file, key, "kiosk-other", OpenMode::MustExist);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::KioskMismatch);
        CHECK_THAT(r.error().message, Catch::Contains(test::kTestKioskId));
        CHECK(test::readFile(file) == before);
    }
    SECTION("a store from a newer schema is refused, not downgraded") {
        {
            auto box = openOk(file, key);
            appendOk(box, kiosk.secretKey);
        }
        rawExec(file, key, "PRAGMA user_version = 99");
        const std::string before = test::readFile(file);
        auto r = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::SchemaTooNew);
        CHECK_THAT(r.error().message, Catch::Contains("99"));
        CHECK(test::readFile(file) == before);
    }
    SECTION("an encrypted database with this key but without the schema is not an outbox") {
        {
            sqlite3* db = nullptr;
            REQUIRE(sqlite3_open(file.c_str(), &db) == SQLITE_OK);
            std::string k = "x'" + crypto::toHex(key.span()) + "'";
            sqlite3_key(db, k.data(), static_cast<int>(k.size()));
            sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr);
            REQUIRE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr) == SQLITE_OK);
            sqlite3_close(db);
        }
        auto r = Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::WrongKeyOrNotAnOutbox);
    }
    SECTION("a leftover half-created store is cleaned up and creation succeeds") {
        test::writeFile(dir / "outbox.db.creating", "half-made");
        auto box = openOk(file, key);
        CHECK_FALSE(fs::exists(dir / "outbox.db.creating"));
        CHECK(appendOk(box, kiosk.secretKey).envelope.header.sequence == 1);
    }
}

namespace {

/// Runs `body` in a child process as an unprivileged user when we are root (chmod does not stop
/// root), or directly otherwise. Returns the child's verdict: 0 = expectations met, 77 = could
/// not drop privileges, other = a failed expectation (its message went to stderr).
template <class F>
int runUnprivileged(const fs::path& dir, F body) {
    if (geteuid() != 0)
        return body();
    // The directory tree is root's; hand it to nobody so the mode bits are what decides.
    const uid_t nobody = 65534;
    for (auto& e : fs::recursive_directory_iterator(dir))
        if (::chown(e.path().c_str(), nobody, nobody) != 0)
            return 77;
    if (::chown(dir.c_str(), nobody, nobody) != 0)
        return 77;
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(nobody) != 0 || setuid(nobody) != 0)
            _exit(77);
        _exit(body());
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

} // namespace

TEST_CASE("an unwritable folder or file is reported as Unwritable", "[outbox][open]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path data = dir / "data";
    fs::create_directory(data);
    const fs::path file = data / kOutboxFileName;
    // Both cases run in one child so the ownership change happens once.
    {
        auto box = openOk(dir / "existing.db", key); // an existing store, made read-only below
        appendOk(box, kiosk.secretKey);
    }
    fs::create_directory(dir / "ro");
    fs::rename(dir / "existing.db", dir / "ro" / kOutboxFileName);

    int verdict = runUnprivileged(dir.path(), [&]() -> int {
        ::chmod(data.c_str(), 0500);
        ::chmod((dir / "ro" / kOutboxFileName).c_str(), 0400);
        ::chmod((dir / "ro").c_str(), 0500);
        auto created = Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing);
        if (created || created.error().code != Code::Unwritable ||
            created.error().message.find(data.string()) == std::string::npos) {
            std::fprintf(stderr, "new store: %s\n",
                         created ? "opened" : created.error().message.c_str());
            return 1;
        }
        auto existing = Outbox::open(dir / "ro" / kOutboxFileName, key, test::kTestKioskId,
                                     OpenMode::MustExist);
        if (existing || existing.error().code != Code::Unwritable) {
            std::fprintf(stderr, "existing store: %s\n",
                         existing ? "opened" : existing.error().message.c_str());
            return 2;
        }
        return fs::exists(file) ? 3 : 0;
    });
    if (verdict == 77) {
        WARN("running as root without the ability to switch to uid 65534; the unwritable-folder "
             "case cannot be exercised here");
        return;
    }
    CHECK(verdict == 0);
}

TEST_CASE("two Outbox objects on one file take turns", "[outbox][concurrency]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    auto ui = openOk(file, key);
    auto forwarder = openOk(file, key, OpenMode::MustExist);
    for (int round = 0; round < 20; ++round) {
        auto a = appendOk(ui, kiosk.secretKey);
        auto b = appendOk(forwarder, kiosk.secretKey); // a second writer continues the chain
        CHECK(b.envelope.header.sequence == a.envelope.header.sequence + 1);
        CHECK(b.envelope.header.previousHash == a.hash);
        auto p = forwarder.pending(1);
        REQUIRE(p);
        REQUIRE(p->size() == 1);
        REQUIRE(forwarder.acknowledge(p->front().envelope.header.sequence, p->front().hash,
                                      crypto::asBytes("ack"), 100 + round));
        auto st = ui.stats();
        REQUIRE(st);
        CHECK(st->lastSequence == b.envelope.header.sequence); // the UI sees the other's commit
        CHECK(st->acknowledgedCount == static_cast<std::uint64_t>(round + 1));
    }
    crypto::ChainVerifier v;
    CHECK(test::checkChain(allOk(ui), kiosk.publicKey, v) == "");
    CHECK(v.lastSequence() == 40);
}

TEST_CASE("two processes append and acknowledge at the same time", "[outbox][concurrency]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    { openOk(file, key); } // created, then closed: no connection is carried across fork()
    constexpr int kAppends = 150;
    std::fflush(nullptr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist);
        if (!box)
            _exit(10);
        for (int i = 0; i < kAppends; ++i)
            if (!box->append(test::makeDraft(1200), kiosk.secretKey))
                _exit(11);
        _exit(0);
    }
    auto box = openOk(file, key, OpenMode::MustExist);
    std::uint64_t acked = 0;
    int childStatus = -1;
    bool childDone = false;
    for (;;) {
        auto p = box.pending(20);
        REQUIRE(p);
        for (auto& e : *p) {
            auto r = box.acknowledge(e.envelope.header.sequence, e.hash, crypto::asBytes("ack"), 1);
            if (!r)
                FAIL(r.error().message);
            ++acked;
        }
        if (!childDone)
            childDone = waitpid(pid, &childStatus, WNOHANG) == pid;
        else if (p->empty())
            break;
    }
    REQUIRE(WIFEXITED(childStatus));
    CHECK(WEXITSTATUS(childStatus) == 0);
    CHECK(acked == kAppends);
    crypto::ChainVerifier v;
    CHECK(test::checkChain(allOk(box), kiosk.publicKey, v) == "");
    CHECK(v.lastSequence() == kAppends);
    CHECK(box.integrityCheck());
}

TEST_CASE("a writer that holds the lock too long yields Busy, not a hang or a lost append",
          "[outbox][concurrency]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    OpenOptions quick;
    quick.busyTimeout = std::chrono::milliseconds(200);
    auto holder = openOk(file, key);
    appendOk(holder, kiosk.secretKey);
    auto box = Outbox::open(file, key, test::kTestKioskId, OpenMode::MustExist, quick);
    REQUIRE(box);

    // A raw connection takes the write lock and keeps it, as a stuck process would.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    std::string k = "x'" + crypto::toHex(key.span()) + "'";
    sqlite3_key(db, k.data(), static_cast<int>(k.size()));
    sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", nullptr, nullptr, nullptr);
    REQUIRE(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);

    auto t0 = std::chrono::steady_clock::now();
    auto r = box->append(test::makeDraft(1200), kiosk.secretKey);
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::Busy);
    CHECK(waited >= std::chrono::milliseconds(150)); // it did wait for the timeout first
    // Readers are not blocked by a writer in WAL mode.
    auto p = box->pending(10);
    REQUIRE(p);
    CHECK(p->size() == 1);

    REQUIRE(sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto ok = box->append(test::makeDraft(1200), kiosk.secretKey);
    REQUIRE(ok);
    CHECK(ok->envelope.header.sequence == 2);
}

TEST_CASE("the outbox file holds no submission time, kind or form in the clear",
          "[outbox][metadata]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    {
        auto box = openOk(file, key);
        for (int i = 0; i < 3; ++i)
            appendOk(box, kiosk.secretKey);
        REQUIRE(box.acknowledge(1, allOk(box).front().hash, crypto::asBytes("ack"), 1717203723));
        REQUIRE(box.close());
    }
    // Opened with the key, as root on the kiosk could: no column of the envelopes says when or
    // what, and the only version-1 table is empty.
    const auto columns = test::outboxColumns(file, key);
    REQUIRE(std::find(columns.begin(), columns.end(), "envelopes.envelope_hash") != columns.end());
    for (const char* clear : {"envelopes.created_at", "envelopes.kind", "envelopes.form_id",
                              "acknowledgements.received_at"})
        CHECK(std::find(columns.begin(), columns.end(), clear) == columns.end());
    for (const auto& c : columns) {
        INFO(c);
        if (c.starts_with("version1_headers."))
            continue;
        CHECK(c.find("created") == std::string::npos);
        CHECK(c.find("kind") == std::string::npos);
    }
    auto box = openOk(file, key, OpenMode::MustExist);
    for (const auto& e : allOk(box)) {
        CHECK(e.envelope.header.version == crypto::kEnvelopeVersion);
        CHECK_FALSE(crypto::headerCarriesMetadata(e.envelope.header));
        CHECK(e.envelope.header.createdAt == 0);
        CHECK(e.envelope.header.formId.empty());
    }
    // The acknowledgement's time is kept as its day only.
    CHECK(box.envelope(1)->acknowledgement->receivedDay == 1717200000);
    CHECK(box.stats()->lastAcknowledgedDay == 1717200000);
}

TEST_CASE("a version-1 outbox is migrated with every queued envelope kept and verifiable",
          "[outbox][migration]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    const auto old = test::makeVersion1Outbox(file, key, kiosk.secretKey, 5, 2);
    {
        // The file really is the previous release's: clear created_at and kind columns.
        const auto before = test::outboxColumns(file, key);
        REQUIRE(std::find(before.begin(), before.end(), "envelopes.created_at") != before.end());
        REQUIRE(std::find(before.begin(), before.end(), "envelopes.kind") != before.end());
    }
    auto box = openOk(file, key, OpenMode::MustExist);
    const auto all = allOk(box);
    REQUIRE(all.size() == old.size());
    for (std::size_t i = 0; i < old.size(); ++i) {
        INFO("envelope " << i + 1);
        const auto& e = all[i].envelope;
        // Byte for byte the envelope that was signed: header fields, ciphertext, signature.
        CHECK(e.header.version == crypto::kEnvelopeVersion1);
        CHECK(e.header.kind == old[i].header.kind);
        CHECK(e.header.createdAt == old[i].header.createdAt);
        CHECK(e.header.formId == old[i].header.formId);
        CHECK(e.header.receiptTag == old[i].header.receiptTag);
        CHECK(e.ciphertext == old[i].ciphertext);
        CHECK(crypto::envelopeHash(e) == crypto::envelopeHash(old[i]));
        CHECK(all[i].hash == crypto::envelopeHash(old[i]));
        CHECK(all[i].acknowledgement.has_value() == (i < 2));
    }
    crypto::ChainVerifier chain;
    CHECK(test::checkChain(all, kiosk.publicKey, chain) == "");
    // Acknowledgements keep their bytes; their time becomes the day (1717203723 is in the day
    // starting 1717200000).
    const std::string firstAck = "ack of 1";
    CHECK(all[0].acknowledgement->bytes == crypto::Bytes(firstAck.begin(), firstAck.end()));
    CHECK(all[0].acknowledgement->receivedDay == 1717200000);
    CHECK(box.stats()->lastAcknowledgedDay == 1717200000);
    auto pending = box.pending(10);
    REQUIRE(pending);
    REQUIRE(pending->size() == 3);
    CHECK(pending->front().envelope.header.sequence == 3);

    // The chain goes on with version 2 from the migrated head.
    auto next = appendOk(box, kiosk.secretKey);
    CHECK(next.envelope.header.sequence == 6);
    CHECK(next.envelope.header.version == crypto::kEnvelopeVersion);
    CHECK(next.envelope.header.previousHash == crypto::envelopeHash(old.back()));
    crypto::ChainVerifier whole;
    CHECK(test::checkChain(allOk(box), kiosk.publicKey, whole) == "");

    // The version-1 clear fields leave with their envelopes.
    for (const auto& e : allOk(box))
        if (!e.acknowledgement && e.envelope.header.version == crypto::kEnvelopeVersion1)
            REQUIRE(box.acknowledge(e.envelope.header.sequence, e.hash, crypto::asBytes("ack"),
                                    1717300000));
    REQUIRE(*box.prune(1717300000 + 10'000'000, 0) == 5);
    REQUIRE(box.close());
    // version1_headers is empty now: every row of it went with its envelope.
    namespace sqlite = sync::sqlite;
    auto db = test::openRawOutbox(file, key, "version1_headers");
    sqlite::Stmt count(db.get(), "SELECT count(*) FROM version1_headers");
    REQUIRE(count.step() == SQLITE_ROW);
    CHECK(count.i64(0) == 0);
}

TEST_CASE("a version-2 outbox is migrated with every envelope, acknowledgement and the chain kept",
          "[outbox][migration]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    // 3 version-1 envelopes (2 acknowledged) and 3 version-2 envelopes.
    const auto old = test::makeVersion2Outbox(file, key, kiosk.secretKey, 3, 2, 3);
    auto indexesOnEnvelopes = [&] {
        namespace sqlite = sync::sqlite;
        auto db = test::openRawOutbox(file, key, "indexesOnEnvelopes");
        sqlite::Stmt s(db.get(), "SELECT count(*) FROM sqlite_master "
                                 "WHERE type = 'index' AND tbl_name = 'envelopes'");
        REQUIRE(s.step() == SQLITE_ROW);
        return s.i64(0);
    };
    REQUIRE(indexesOnEnvelopes() == 1); // the previous release's envelope_hash index

    {
        auto box = openOk(file, key, OpenMode::MustExist);
        const auto all = allOk(box);
        REQUIRE(all.size() == old.size());
        for (std::size_t i = 0; i < old.size(); ++i) {
            INFO("envelope " << i + 1);
            CHECK(all[i].envelope.header.version == old[i].header.version);
            CHECK(all[i].envelope.ciphertext == old[i].ciphertext);
            CHECK(all[i].envelope.signature == old[i].signature);
            CHECK(all[i].hash == crypto::envelopeHash(old[i]));
            CHECK(all[i].acknowledgement.has_value() == (i < 2));
        }
        CHECK(box.stats()->lastSequence == 6);
        CHECK(box.stats()->lastHash == crypto::envelopeHash(old.back()));
        auto next = appendOk(box, kiosk.secretKey);
        CHECK(next.envelope.header.sequence == 7);
        CHECK(next.envelope.header.previousHash == crypto::envelopeHash(old.back()));
        crypto::ChainVerifier chain;
        CHECK(test::checkChain(allOk(box), kiosk.publicKey, chain) == "");

        // Everything acknowledged and pruned: the head survives in chain_head.
        for (const auto& e : allOk(box))
            if (!e.acknowledgement)
                REQUIRE(box.acknowledge(e.envelope.header.sequence, e.hash, crypto::asBytes("ack"),
                                        1717300000));
        REQUIRE(*box.prune(1717300000 + 10'000'000, 0) == 7);
        CHECK(box.stats()->lastSequence == 7);
        CHECK(box.stats()->lastHash == next.hash);
        REQUIRE(box.close());
    }
    CHECK(indexesOnEnvelopes() == 0);
    auto box = openOk(file, key, OpenMode::MustExist);
    CHECK(box.stats()->lastSequence == 7);
    CHECK(appendOk(box, kiosk.secretKey).envelope.header.sequence == 8);
}

TEST_CASE("the deferred checkpoint policy leaves copying the WAL to checkpoint()",
          "[outbox][checkpoint]") {
    TempDir dir("outbox");
    auto key = test::randomStoreKey();
    auto kiosk = test::testKioskKey();
    const fs::path file = dir / kOutboxFileName;
    OpenOptions deferred;
    deferred.checkpoint = CheckpointPolicy::Deferred;
    auto opened = Outbox::open(file, key, test::kTestKioskId, OpenMode::CreateIfMissing, deferred);
    REQUIRE(opened);
    Outbox box = std::move(opened.value());
    const auto fileBefore = box.stats()->fileBytes;
    // 64 KiB envelopes: some 17 frames each, so 80 of them pass the 1000 frames at which
    // SQLite's default policy checkpoints inside a commit.
    for (int i = 0; i < 80; ++i)
        appendOk(box, kiosk.secretKey, 64 * 1024);
    CHECK(box.stats()->fileBytes == fileBefore); // no commit copied anything into outbox.db
    auto copied = box.checkpoint(kIdleCheckpointFrames);
    REQUIRE(copied);
    CHECK(copied->walFrames > kIdleCheckpointFrames);
    CHECK(copied->copiedFrames == copied->walFrames);
    CHECK(box.stats()->fileBytes > fileBefore);
    // Copied: the next append starts the WAL over, and a short WAL is left alone.
    appendOk(box, kiosk.secretKey);
    auto skipped = box.checkpoint(kIdleCheckpointFrames);
    REQUIRE(skipped);
    CHECK(skipped->walFrames > 0);
    CHECK(skipped->walFrames < 10);
    CHECK(skipped->copiedFrames == 0);
    CHECK(allOk(box).size() == 81);
    REQUIRE(box.integrityCheck());
}
