// writeFileAtomically (crypto/atomic_file.hpp): content, mode, never-overwrite, and no temporary
// file left behind, on success or failure.
#include <catch2/catch.hpp>

#include "crypto/atomic_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::crypto;
using minsheng::test::readFile;
using minsheng::test::TempDir;
using minsheng::test::writeFile;
using Code = AtomicFileError::Code;

namespace {

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

mode_t modeOf(const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

/// Sets the process umask for one scope.
struct Umask {
    mode_t saved;
    explicit Umask(mode_t m) : saved(::umask(m)) {}
    ~Umask() { ::umask(saved); }
};

} // namespace

TEST_CASE("content round-trips, binary and empty alike", "[crypto][atomic-file]") {
    TempDir dir("atomic-file");
    const std::string binary("key\0with\0zeros\xff\n", 16);
    for (const std::string& content : {binary, std::string(), std::string(100000, 'x')}) {
        const auto file = dir / "data.bin";
        fs::remove(file);
        REQUIRE(writeFileAtomically(file, content, 0644, Existing::Refuse));
        CHECK(readFile(file) == content);
        CHECK(entries(dir.path()) == std::vector<std::string>{"data.bin"});
    }
}

TEST_CASE("the mode asked for is the mode on disk, whatever the umask", "[crypto][atomic-file]") {
    TempDir dir("atomic-file");
    {
        Umask u(0); // would leave 0666 if the helper relied on the default
        REQUIRE(writeFileAtomically(dir / "secret.key", "s", 0600, Existing::Refuse));
        CHECK(modeOf(dir / "secret.key") == 0600);
    }
    {
        Umask u(077); // would narrow a public file to 0600 without the fchmod
        REQUIRE(writeFileAtomically(dir / "public.pem", "p", 0644, Existing::Refuse));
        CHECK(modeOf(dir / "public.pem") == 0644);
        REQUIRE(writeFileAtomically(dir / "public.pem", "q", 0640, Existing::Replace));
        CHECK(modeOf(dir / "public.pem") == 0640);
    }
}

TEST_CASE("Existing::Refuse never overwrites, Existing::Replace does", "[crypto][atomic-file]") {
    TempDir dir("atomic-file");
    const auto file = dir / "ledger.key";
    writeFile(file, "the old key");
    ::chmod(file.c_str(), 0600);
    auto r = writeFileAtomically(file, "a new key", 0600, Existing::Refuse);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::AlreadyExists);
    CHECK_THAT(r.error().message, Catch::Contains(file.string()));
    CHECK(readFile(file) == "the old key");
    CHECK(entries(dir.path()) == std::vector<std::string>{"ledger.key"});

    // A dangling symbolic link is a name too: never followed, never replaced.
    fs::create_symlink(dir / "elsewhere", dir / "link.key");
    auto viaLink = writeFileAtomically(dir / "link.key", "k", 0600, Existing::Refuse);
    REQUIRE_FALSE(viaLink);
    CHECK(viaLink.error().code == Code::AlreadyExists);
    CHECK_FALSE(fs::exists(dir / "elsewhere"));

    REQUIRE(writeFileAtomically(file, "replaced", 0600, Existing::Replace));
    CHECK(readFile(file) == "replaced");
}

namespace {

/// Writes 1 MiB to `file` in a child process under a 64 KiB file size limit, where write() fails
/// with EFBIG part way through, as on a full disk or an exceeded quota. The child's exit status:
/// 0 when the write failed as DiskFull.
int writeOverSizeLimit(const fs::path& file) {
    std::fflush(nullptr);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        rlimit lim{};
        lim.rlim_cur = 64 * 1024;
        lim.rlim_max = RLIM_INFINITY;
        if (::setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(20);
        auto r = writeFileAtomically(file, std::string(1 << 20, 'x'), 0644, Existing::Replace);
        if (r)
            _exit(21);
        _exit(r.error().code == Code::DiskFull ? 0 : 22);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFEXITED(status));
    return WEXITSTATUS(status);
}

} // namespace

TEST_CASE("a failed write leaves neither the file nor a temporary file", "[crypto][atomic-file]") {
    TempDir dir("atomic-file");
    const auto file = dir / "big.json";
    writeFile(dir / "other", "untouched");
    CHECK(writeOverSizeLimit(file) == 0);
    CHECK(entries(dir.path()) == std::vector<std::string>{"other"});
    // And where the file existed, it is left as it was.
    writeFile(file, "old");
    CHECK(writeOverSizeLimit(file) == 0);
    CHECK(readFile(file) == "old");
    CHECK(entries(dir.path()) == std::vector<std::string>{"big.json", "other"});
}

TEST_CASE("a missing folder is reported with the path", "[crypto][atomic-file]") {
    TempDir dir("atomic-file");
    const auto file = dir / "no-such-folder" / "x.key";
    auto r = writeFileAtomically(file, "k", 0600, Existing::Refuse);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Code::Unwritable);
    CHECK_THAT(r.error().message, Catch::Contains(file.string()));
}
