// Crash durability: outbox_crash_child is SIGKILLed at random moments (while creating the store,
// opening it, or mid-append) and the store is reopened each time. Every sequence number the
// child printed (i.e. append() had returned) must be there, contiguous from 1, with a valid chain
// and signatures, and integrity_check must pass.
//
// Rounds: MINSHENG_CRASH_ROUNDS (default 200; the long run uses 1000 or more). The random delays
// only vary where the kill lands; no assertion depends on timing.
//
// What this shows and what it does not: a SIGKILL loses the process but not the kernel's page
// cache, so this proves the commit protocol is atomic and that append() returns only after
// COMMIT; surviving a power cut additionally relies on fsync (synchronous = FULL), which only a
// power-cut rig can show.
#include "kiosk/outbox/outbox.hpp"
#include "sync/store/store_key.hpp"
#include "tests/kiosk/outbox/outbox_test_support.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <random>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace minsheng;
using namespace minsheng::sync;
using namespace minsheng::outbox;
using minsheng::test::TempDir;

namespace {

struct KilledRun {
    std::vector<std::uint64_t> printed; // sequence numbers on complete lines
    bool sawReady = false;
    std::string err;
    int exitCode = -1; // the child should never exit on its own
};

/// Starts the child, waits for its "ready" line when `afterReady` (so the kill lands among the
/// appends) or not (so it may land in key creation, store creation or open), sleeps `delay`, then
/// SIGKILLs it and collects everything it printed.
KilledRun runAndKill(const fs::path& program, const fs::path& dataDir, bool afterReady,
                     std::chrono::microseconds delay) {
    int out[2], err[2];
    REQUIRE(pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(pipe2(err, O_CLOEXEC) == 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        execl(program.c_str(), program.c_str(), dataDir.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    std::string text;
    char buf[4096];
    if (afterReady) {
        // Read until the first line; EOF (child died early) ends the wait too.
        while (text.find('\n') == std::string::npos) {
            ssize_t n = read(out[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            text.append(buf, static_cast<std::size_t>(n));
        }
    }
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    for (;;) {
        ssize_t n = read(out[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    KilledRun run;
    for (;;) {
        ssize_t n = read(err[0], buf, sizeof buf);
        if (n <= 0)
            break;
        run.err.append(buf, static_cast<std::size_t>(n));
    }
    close(out[0]);
    close(err[0]);
    if (WIFEXITED(status))
        run.exitCode = WEXITSTATUS(status);
    // Only complete lines count: a number is reported once its newline is out.
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = text.substr(start, nl - start);
        if (line == "ready")
            run.sawReady = true;
        else
            run.printed.push_back(std::stoull(line));
    }
    return run;
}

int roundsFromEnvironment() {
    const char* s = std::getenv("MINSHENG_CRASH_ROUNDS");
    if (!s || !*s)
        return 200;
    return std::max(1, std::atoi(s));
}

} // namespace

TEST_CASE("SIGKILL at random moments never loses an acknowledged append", "[outbox][crash]") {
    const int rounds = roundsFromEnvironment();
    const fs::path program = test::binary("outbox_crash_child");
    TempDir dir("outbox-crash");
    const fs::path file = dir / kOutboxFileName;
    const auto kiosk = test::testKioskKey();
    std::mt19937 rng(std::random_device{}());
    const auto t0 = std::chrono::steady_clock::now();

    std::uint64_t reported = 0;     // highest sequence any child printed
    std::uint64_t verifiedUpTo = 0; // chain verified up to here...
    crypto::Hash256 verifiedHash{}; // ...ending in this envelope hash
    int killsInStartup = 0, killsAmongAppends = 0;
    for (int round = 0; round < rounds; ++round) {
        INFO("round " << round);
        // One round in four kills from the start (key/store creation, open, recovery); the rest
        // wait for "ready" and kill 0..50 ms into the appends.
        const bool afterReady = rng() % 4 != 0;
        std::chrono::microseconds delay{afterReady ? rng() % 50'000 : rng() % 8'000};
        auto run = runAndKill(program, dir.path(), afterReady, delay);
        INFO("child stderr: " << run.err);
        REQUIRE(run.exitCode == -1); // killed, never exited with an error of its own
        (run.printed.empty() ? killsInStartup : killsAmongAppends) += 1;

        // Numbers printed within one run are consecutive and continue the previous runs.
        for (std::size_t i = 0; i < run.printed.size(); ++i)
            REQUIRE(run.printed[i] == (i == 0 ? run.printed[0] : run.printed[i - 1] + 1));
        if (!run.printed.empty()) {
            // `reported` already counts an envelope a previous child committed but was killed
            // before printing (the reopen below found it), so the next one follows directly.
            REQUIRE(run.printed.front() == reported + 1);
            reported = run.printed.back();
        }
        if (!fs::exists(file)) {
            REQUIRE(reported == 0); // killed before the store was published: nothing promised
            continue;
        }
        FileStoreKey keySource(dir / "outbox.key", false);
        auto key = keySource.load();
        if (!key)
            FAIL(key.error().message);
        auto box = Outbox::open(file, *key, test::kTestKioskId, OpenMode::MustExist);
        if (!box)
            FAIL("reopen: " << box.error().message);
        auto ic = box->integrityCheck();
        if (!ic)
            FAIL(ic.error().message);
        auto st = box->stats();
        REQUIRE(st);
        // Everything printed is there; at most one more was committed but not yet printed.
        REQUIRE(st->lastSequence >= reported);
        REQUIRE(st->lastSequence <= reported + 1);
        REQUIRE(st->pendingCount == st->lastSequence); // nothing acknowledged: contiguous 1..last
        if (verifiedUpTo > 0) {
            auto prev = box->envelope(verifiedUpTo);
            REQUIRE(prev);
            REQUIRE(prev->hash == verifiedHash); // the verified prefix did not change
        }
        auto fresh = box->pending(std::numeric_limits<std::size_t>::max(), verifiedUpTo);
        REQUIRE(fresh);
        crypto::ChainVerifier v(verifiedUpTo, verifiedHash);
        REQUIRE(test::checkChain(*fresh, kiosk.publicKey, v) == "");
        REQUIRE(v.lastSequence() == st->lastSequence);
        verifiedUpTo = v.lastSequence();
        verifiedHash = v.lastHash();
        reported = std::max(reported, verifiedUpTo); // a committed-unprinted one is now known
    }

    // Finally the whole chain from sequence 1, in one pass.
    FileStoreKey keySource(dir / "outbox.key", false);
    auto key = keySource.load();
    REQUIRE(key);
    auto box = Outbox::open(file, *key, test::kTestKioskId, OpenMode::MustExist);
    REQUIRE(box);
    auto all = box->allEnvelopes();
    REQUIRE(all);
    REQUIRE(all->size() == verifiedUpTo);
    crypto::ChainVerifier whole;
    CHECK(test::checkChain(*all, kiosk.publicKey, whole) == "");
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN(rounds << " crash rounds in " << seconds << " s: " << killsAmongAppends
                << " kills among appends, " << killsInStartup << " before the first append; "
                << verifiedUpTo << " envelopes survived");
    CHECK(killsAmongAppends > 0); // the test did exercise killing mid-stream
}
