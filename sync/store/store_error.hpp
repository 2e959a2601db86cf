// StoreError: everything that can go wrong with a SQLCipher store (the kiosk's outbox, the
// county's intake store and staff ledger) or its key, as a code a program can turn into a state
// and a message an operator can act on.
#pragma once

#include <string>
#include <string_view>

namespace minsheng::sync {

struct StoreError {
    enum class Code {
        WrongKeyOrNotAnOutbox, // the file does not decrypt with this key, or is not an outbox
        Corrupt,               // decrypts, but pages or structure are damaged
        SchemaTooNew,          // written by a newer Minsheng; never downgraded
        Missing,               // the store, its directory or its key is not there
        Unwritable,            // permissions, read-only file system
        DiskFull,              // ENOSPC, EFBIG (file size limit), SQLITE_FULL
        Busy,                  // another process held the lock past the busy timeout
        KioskMismatch,         // the store belongs to another kiosk id
        KeyUnusable,           // key file too open, wrong length, not a regular file
        InvalidInput,          // a draft or argument the caller should not have passed
        UnknownEnvelope,       // no envelope with that sequence (never appended, or pruned)
        AckMismatch,           // acknowledgement names a different envelope hash
        Io,                    // any other I/O failure (EIO, fsync failure, ...)
    };
    Code code;
    /// A complete sentence (or three) naming the file and saying what to do. Never contains key
    /// material or envelope contents.
    std::string message;
};

/// Stable lower-case name for logs and tests: "wrong-key-or-not-an-outbox", "disk-full", ...
std::string_view storeErrorCodeName(StoreError::Code code);

} // namespace minsheng::sync
