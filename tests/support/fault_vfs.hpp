// FaultVfs: a SQLite VFS that wraps the default "unix" VFS and fails a chosen write.
//
// Every xWrite, xSync and xTruncate on any file opened through it (the database, its WAL, a
// journal) is counted while armed; the n-th one fails with the configured code instead of
// reaching the disk, and with `sticky` every later one fails too (a disk that stays full).
// Everything else (reads, locks, shared memory for WAL) is forwarded unchanged.
//
// Use: FaultVfs::install() once, open the Outbox with OpenOptions{.vfsName = FaultVfs::kName},
// arm(n, ...) just before the operation under test, disarm() after. Test-only, process-global.
#pragma once

#include <cstdint>

namespace minsheng::test {

class FaultVfs {
public:
    static constexpr const char* kName = "minsheng-fault";

    /// Registers the VFS (not as the default). Idempotent.
    static void install();

    /// Fails the n-th counted call (1-based) from now on. `writeError` is returned by a failing
    /// xWrite (SQLITE_FULL or SQLITE_IOERR_WRITE); xSync fails with SQLITE_IOERR_FSYNC and
    /// xTruncate with SQLITE_IOERR_TRUNCATE.
    static void arm(std::uint64_t n, int writeError, bool sticky);
    /// Stops counting and failing.
    static void disarm();

    /// Calls counted since arm().
    static std::uint64_t calls();
    /// Whether a call was failed since arm(), and which kind the first failure was.
    static bool fired();
    enum class Op { None, Write, Sync, Truncate };
    static Op firstFailedOp();
};

} // namespace minsheng::test
