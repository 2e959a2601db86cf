// The outbox key: creation only when allowed, file permissions, lengths, systemd credentials.
#include "crypto/sodium.hpp"
#include "sync/store/store_key.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iterator>
#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::sync;
using minsheng::test::TempDir;
using Code = StoreError::Code;

TEST_CASE("FileStoreKey creates a 0600 key once and never regenerates it", "[outbox][key]") {
    TempDir dir("outbox-key");
    const fs::path path = dir / "outbox.key";

    SECTION("missing and not allowed to create: Missing, nothing created") {
        auto r = FileStoreKey(path, false).load();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::Missing);
        CHECK_THAT(r.error().message, Catch::Contains("backup"));
        CHECK_FALSE(fs::exists(path));
    }
    SECTION("created when allowed, then read back unchanged") {
        auto first = FileStoreKey(path, true).load();
        REQUIRE(first);
        CHECK(first->size() == 32);
        struct stat st {};
        REQUIRE(::stat(path.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        CHECK(fs::file_size(path) == 32);
        // No temporary file is left beside the key (crypto/atomic_file.hpp invariant 5).
        CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
        // createIfMissing with an existing key reads it; it does not make a new one.
        auto again = FileStoreKey(path, true).load();
        REQUIRE(again);
        CHECK(again->equals(first->span()));
        auto readOnly = FileStoreKey(path, false).load();
        REQUIRE(readOnly);
        CHECK(readOnly->equals(first->span()));
        // Two fresh keys differ (the key is random, not derived from anything).
        auto other = FileStoreKey(dir / "other.key", true).load();
        REQUIRE(other);
        CHECK_FALSE(other->equals(first->span()));
    }
    SECTION("group- or world-accessible key files are refused") {
        REQUIRE(FileStoreKey(path, true).load());
        for (auto mode : {0644, 0640, 0604, 0620, 0602}) {
            fs::permissions(path, static_cast<fs::perms>(mode));
            auto r = FileStoreKey(path, true).load();
            REQUIRE_FALSE(r);
            CHECK(r.error().code == Code::KeyUnusable);
            CHECK_THAT(r.error().message, Catch::Contains("chmod 600"));
        }
        fs::permissions(path, static_cast<fs::perms>(0600));
        CHECK(FileStoreKey(path, false).load());
    }
    SECTION("a key of the wrong length is refused, not padded or regenerated") {
        for (std::size_t len : {0, 16, 31, 33, 64}) {
            test::writeFile(path, std::string(len, 'k'));
            fs::permissions(path, static_cast<fs::perms>(0600));
            auto r = FileStoreKey(path, true).load();
            REQUIRE_FALSE(r);
            CHECK(r.error().code == Code::KeyUnusable);
            CHECK(fs::file_size(path) == len); // untouched
        }
    }
    SECTION("a symbolic link is refused") {
        REQUIRE(FileStoreKey(dir / "real.key", true).load());
        fs::create_symlink(dir / "real.key", path);
        auto r = FileStoreKey(path, true).load();
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Code::KeyUnusable);
    }
}

namespace {

/// Sets CREDENTIALS_DIRECTORY for one scope.
struct CredentialsDir {
    explicit CredentialsDir(const fs::path& p) { ::setenv("CREDENTIALS_DIRECTORY", p.c_str(), 1); }
    ~CredentialsDir() { ::unsetenv("CREDENTIALS_DIRECTORY"); }
};

} // namespace

TEST_CASE("CredentialStoreKey reads raw or hex systemd credentials", "[outbox][key]") {
    TempDir dir("outbox-cred");
    CredentialsDir env(dir.path());
    std::string raw(32, '\0');
    for (std::size_t i = 0; i < raw.size(); ++i)
        raw[i] = static_cast<char>(i * 7 + 1);
    const std::string hex = crypto::toHex(crypto::asBytes(raw));

    SECTION("32 raw bytes") {
        test::writeFile(dir / "outbox-key", raw);
        auto k = CredentialStoreKey("outbox-key").load();
        REQUIRE(k);
        CHECK(k->view() == raw);
    }
    SECTION("64 hex digits, with or without a newline") {
        for (const std::string& text : {hex, hex + "\n"}) {
            test::writeFile(dir / "outbox-key", text);
            auto k = CredentialStoreKey("outbox-key").load();
            REQUIRE(k);
            CHECK(k->view() == raw);
        }
    }
    SECTION("anything else is refused") {
        for (const std::string& text : {std::string(31, 'a'), hex + "\n\n", hex.substr(0, 62),
                                        std::string(64, 'z'), std::string(33, '\0')}) {
            test::writeFile(dir / "outbox-key", text);
            auto k = CredentialStoreKey("outbox-key").load();
            REQUIRE_FALSE(k);
            CHECK(k.error().code == Code::KeyUnusable);
        }
    }
    SECTION("missing credential, missing variable, bad name") {
        auto k = CredentialStoreKey("outbox-key").load();
        REQUIRE_FALSE(k);
        CHECK(k.error().code == Code::Missing);
        CHECK(CredentialStoreKey("../outbox-key").load().error().code == Code::InvalidInput);
        ::unsetenv("CREDENTIALS_DIRECTORY");
        auto noEnv = CredentialStoreKey("outbox-key").load();
        REQUIRE_FALSE(noEnv);
        CHECK(noEnv.error().code == Code::Missing);
        CHECK_THAT(noEnv.error().message, Catch::Contains("LoadCredential"));
    }
}
