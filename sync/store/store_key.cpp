#include "sync/store/store_key.hpp"

#include "crypto/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

namespace minsheng::sync {

namespace fs = std::filesystem;
using crypto::SecretBytes;
using Code = StoreError::Code;

namespace {

std::string errnoText(int e) {
    return std::string(std::strerror(e));
}

StoreError ioError(const fs::path& path, const char* what, int e) {
    Code code = Code::Io;
    if (e == EACCES || e == EPERM || e == EROFS)
        code = Code::Unwritable;
    else if (e == ENOSPC || e == EDQUOT || e == EFBIG)
        code = Code::DiskFull;
    return {code, path.string() + ": cannot " + what + " the outbox key (" + errnoText(e) +
                      "). Check that the folder " + path.parent_path().string() +
                      " exists, is writable by the kiosk service and its disk is not full."};
}

/// Reads at most `limit` bytes of an open descriptor into guarded memory.
Result<SecretBytes, int> readAll(int fd, std::size_t limit) {
    SecretBytes buf(limit);
    std::size_t got = 0;
    while (got < limit) {
        ssize_t n = ::read(fd, buf.data() + got, limit - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return fail(errno);
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    buf.truncate(got);
    return buf;
}

/// Opens a key file for reading and applies invariant 2's permission check.
Result<int, StoreError> openChecked(const fs::path& path, bool checkMode) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return fail(StoreError{Code::Missing, path.string() + " does not exist."});
        if (e == ELOOP)
            return fail(StoreError{Code::KeyUnusable,
                                   path.string() + " is a symbolic link; the outbox key must be "
                                                   "a regular file. Replace the link with the "
                                                   "file itself."});
        return fail(ioError(path, "read", e));
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(StoreError{Code::KeyUnusable,
                               path.string() + " is not a regular file; the outbox key must be "
                                               "one. Restore it from the provisioning backup."});
    }
    if (checkMode && (st.st_mode & 077) != 0) {
        ::close(fd);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return fail(StoreError{Code::KeyUnusable,
                               path.string() + ": readable or writable by group or others (mode " +
                                   mode + "), so it is refused. Run: chmod 600 " + path.string() +
                                   " and, if other accounts could have read it, treat the "
                                   "outbox key as disclosed (see docs/outbox.md)."});
    }
    return fd;
}

StoreError wrongLength(const fs::path& path, std::size_t size, const char* expected) {
    return {Code::KeyUnusable, path.string() + " holds " + std::to_string(size) +
                                   " bytes, but an outbox key is " + expected +
                                   ". It is refused rather than guessed at: restore the key from "
                                   "the provisioning backup. Do not create a new key while the "
                                   "outbox exists; the outbox cannot be read without the old one."};
}

} // namespace

FileStoreKey::FileStoreKey(fs::path path, bool createIfMissing)
    : m_path(std::move(path)), m_createIfMissing(createIfMissing) {}

Result<SecretBytes, StoreError> FileStoreKey::load() {
    auto fd = openChecked(m_path, true);
    if (!fd.ok() && fd.error().code == Code::Missing && m_createIfMissing) {
        // Invariant 1: written under a temporary name, made durable, then link()ed into place
        // (crypto/atomic_file.hpp). link() never replaces an existing name, so a key another
        // process created meanwhile wins and is read below; a crash leaves either no key or a
        // complete one.
        SecretBytes key(kStoreKeyBytes);
        randombytes_buf(key.data(), key.size());
        auto written = crypto::writeFileAtomically(
            m_path, std::span<const std::uint8_t>(key.data(), key.size()), 0600,
            crypto::Existing::Refuse);
        if (!written && written.error().code != crypto::AtomicFileError::Code::AlreadyExists)
            return fail(ioError(m_path, "create", written.error().sysErrno));
        fd = openChecked(m_path, true); // read back what is really there (maybe another's key)
    }
    if (!fd.ok()) {
        if (fd.error().code == Code::Missing)
            fd.error().message =
                "the outbox key " + m_path.string() +
                " does not exist, but the outbox was expected to exist already. The outbox "
                "cannot be read without the key it was created with: restore the key file from "
                "the provisioning backup. Do not create a new key or delete the outbox.";
        return fail(std::move(fd.error()));
    }
    auto bytes = readAll(*fd, kStoreKeyBytes + 1);
    ::close(*fd);
    if (!bytes.ok())
        return fail(ioError(m_path, "read", bytes.error()));
    if (bytes->size() != kStoreKeyBytes)
        return fail(wrongLength(m_path, bytes->size(), "exactly 32 bytes"));
    return std::move(bytes.value());
}

CredentialStoreKey::CredentialStoreKey(std::string name) : m_name(std::move(name)) {}

Result<SecretBytes, StoreError> CredentialStoreKey::load() {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir)
        return fail(StoreError{Code::Missing,
                               "CREDENTIALS_DIRECTORY is not set, so the outbox key credential '" +
                                   m_name +
                                   "' cannot be read. Start the kiosk through its systemd unit, "
                                   "which has LoadCredential=" +
                                   m_name + ":... (see docs/outbox.md)."});
    if (m_name.empty() || m_name.find('/') != std::string::npos || m_name == "." || m_name == "..")
        return fail(StoreError{Code::InvalidInput,
                               "'" + m_name + "' is not a valid credential name (no slashes)."});
    fs::path path = fs::path(dir) / m_name;
    // systemd writes credentials 0400 into a private, non-swappable mount; the mode check of
    // key files does not apply (LoadCredentialEncrypted= may show other modes on old systemd).
    auto fd = openChecked(path, false);
    if (!fd.ok()) {
        if (fd.error().code == Code::Missing)
            fd.error().message = "the outbox key credential " + path.string() +
                                 " does not exist. Check LoadCredential=" + m_name +
                                 ":... in the kiosk's systemd unit.";
        return fail(std::move(fd.error()));
    }
    auto bytes = readAll(*fd, 2 * kStoreKeyBytes + 2);
    ::close(*fd);
    if (!bytes.ok())
        return fail(ioError(path, "read", bytes.error()));
    SecretBytes& raw = *bytes;
    if (raw.size() == kStoreKeyBytes)
        return std::move(raw);
    std::size_t hexLen = raw.size();
    if (hexLen == 2 * kStoreKeyBytes + 1 && raw.data()[hexLen - 1] == '\n')
        --hexLen;
    if (hexLen != 2 * kStoreKeyBytes)
        return fail(wrongLength(path, raw.size(),
                                "32 raw bytes or 64 hex digits with an optional newline"));
    SecretBytes key(kStoreKeyBytes);
    std::size_t decoded = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(key.data(), key.size(), reinterpret_cast<const char*>(raw.data()), hexLen,
                       nullptr, &decoded, &end) != 0 ||
        decoded != kStoreKeyBytes || end != reinterpret_cast<const char*>(raw.data()) + hexLen)
        return fail(StoreError{Code::KeyUnusable, path.string() +
                                                      " holds 64 characters that are not all hex "
                                                      "digits. Restore the credential from the "
                                                      "provisioning backup."});
    return key;
}

} // namespace minsheng::sync
