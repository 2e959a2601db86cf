// writeFileAtomically (atomic_file.hpp): temporary file, fsync, rename or link, folder fsync.
#include "crypto/atomic_file.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::crypto {

namespace fs = std::filesystem;
using Code = AtomicFileError::Code;

namespace {

AtomicFileError errorFor(const char* doing, const fs::path& path, int e) {
    Code code = Code::Io;
    if (e == EEXIST)
        code = Code::AlreadyExists;
    else if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        code = Code::DiskFull;
    else if (e == EACCES || e == EPERM || e == EROFS || e == ENOENT || e == ENOTDIR)
        code = Code::Unwritable;
    return {code, e, std::string(doing) + " " + path.string() + ": " + std::strerror(e) + "."};
}

/// ".<name>.tmp-<16 hex>" beside `path`: hidden, and unique without coordination.
fs::path temporaryNameFor(const fs::path& path) {
    std::uint8_t random[8];
    randombytes_buf(random, sizeof random);
    char hex[2 * sizeof random + 1];
    sodium_bin2hex(hex, sizeof hex, random, sizeof random);
    return path.parent_path() / ("." + path.filename().string() + ".tmp-" + hex);
}

/// Writes everything, retrying short writes and EINTR; 0 or the errno of the failed write.
int writeAll(int fd, std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            return EIO;
        done += static_cast<std::size_t>(n);
    }
    return 0;
}

/// Invariant 4. File systems that cannot sync a folder (EINVAL) have nothing more to flush.
int fsyncFolder(const fs::path& folder) {
    int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    int e = ::fsync(fd) == 0 || errno == EINVAL ? 0 : errno;
    ::close(fd);
    return e;
}

} // namespace

Result<Ok, AtomicFileError> writeFileAtomically(const fs::path& path,
                                                std::span<const std::uint8_t> bytes, mode_t mode,
                                                Existing existing) {
    if (existing == Existing::Refuse) {
        // An early, friendly answer; link() below is what actually guarantees invariant 3.
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0)
            return fail(errorFor("refusing to overwrite", path, EEXIST));
    }
    fs::path temp;
    int fd = -1;
    for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
        temp = temporaryNameFor(path);
        // Invariant 1: created with the mode, never through a symbolic link, never an old file.
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0 && errno != EEXIST)
            return fail(errorFor("cannot create", path, errno));
    }
    if (fd < 0)
        return fail(errorFor("cannot create", path, EEXIST));
    int e = ::fchmod(fd, mode) == 0 ? 0 : errno; // the umask may have removed bits
    if (e == 0)
        e = writeAll(fd, bytes);
    if (e == 0 && ::fsync(fd) != 0)
        e = errno;
    if (::close(fd) != 0 && e == 0)
        e = errno;
    if (e != 0) {
        ::unlink(temp.c_str()); // invariant 5
        return fail(errorFor("cannot write", path, e));
    }
    if (existing == Existing::Refuse) {
        e = ::link(temp.c_str(), path.c_str()) == 0 ? 0 : errno;
        ::unlink(temp.c_str());
        if (e != 0)
            return fail(errorFor(e == EEXIST ? "refusing to overwrite" : "cannot create", path, e));
    } else if (::rename(temp.c_str(), path.c_str()) != 0) {
        e = errno;
        ::unlink(temp.c_str());
        return fail(errorFor("cannot write", path, e));
    }
    if ((e = fsyncFolder(path.parent_path())) != 0)
        return fail(errorFor("cannot sync the folder of", path, e));
    return Ok{};
}

Result<Ok, AtomicFileError> writeFileAtomically(const fs::path& path, std::string_view text,
                                                mode_t mode, Existing existing) {
    return writeFileAtomically(
        path, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()), mode,
        existing);
}

} // namespace minsheng::crypto
