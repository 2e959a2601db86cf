// writeFileAtomically: the one way Minsheng writes a file that must be whole or absent — key
// files, TLS material, salts, revocations, exports, store keys. POSIX only.
//
// Invariants:
//   1. The file's mode is fixed before its first byte exists on disk: the temporary file is
//      created with O_EXCL and `mode`, then fchmod()ed to exactly `mode` (the umask may have
//      removed bits; a secret must not be readable by others even for a moment, and a public file
//      must not end up narrower than asked).
//   2. The bytes go to a temporary file in the same folder (so the final step is a rename within
//      one file system), which is fsync()ed before it gets the final name. Readers see the old
//      file or the complete new one, never a prefix.
//   3. Existing::Refuse never replaces anything: the temporary file is link()ed to the final
//      name, which fails with EEXIST when the name exists (also when another process created it
//      a moment ago). Key files use this: a lost key means lost data, so an accident must not
//      overwrite one. Existing::Replace renames over the old file atomically.
//   4. After the name is in place the folder is fsync()ed, so the name survives a power cut.
//   5. On any failure the temporary file is removed and the final name is untouched (either
//      absent or the old file). A crash in the middle may leave a temporary file named
//      ".<name>.tmp-<random>"; it never gets the final name, so it is never read as the file.
#pragma once

#include "crypto/result.hpp"

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::crypto {

enum class Existing {
    Replace, // rename over an existing file
    Refuse,  // fail with AlreadyExists if the name exists (invariant 3)
};

struct AtomicFileError {
    enum class Code {
        AlreadyExists, // Existing::Refuse and the name exists
        Unwritable,    // EACCES, EPERM, EROFS, the folder is missing
        DiskFull,      // ENOSPC, EDQUOT, EFBIG
        Io,            // anything else (EIO, a failed fsync, ...)
    };
    Code code;
    int sysErrno = 0; // the errno of the failed call, for callers with their own wording
    /// A sentence naming the path and the system's reason, e.g.
    /// "cannot create keys/ca.key: Permission denied."
    std::string message;
};

/// Writes `bytes` to `path` with `mode` following invariants 1-5.
[[nodiscard]] Result<Ok, AtomicFileError> writeFileAtomically(const std::filesystem::path& path,
                                                              std::span<const std::uint8_t> bytes,
                                                              mode_t mode, Existing existing);
/// The same for text.
[[nodiscard]] Result<Ok, AtomicFileError> writeFileAtomically(const std::filesystem::path& path,
                                                              std::string_view text, mode_t mode,
                                                              Existing existing);

} // namespace minsheng::crypto
