#include "county/office/passphrase_prompt.hpp"

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

namespace minsheng::county {
namespace {

std::optional<crypto::SecretBytes> readFromFd(int fd) {
    crypto::SecretBytes buf(4096);
    std::size_t n = 0;
    while (n < buf.size()) {
        char c;
        ssize_t r = ::read(fd, &c, 1);
        if (r <= 0 || c == '\n')
            break;
        buf.data()[n++] = static_cast<std::uint8_t>(c);
    }
    if (n > 0 && buf.data()[n - 1] == '\r')
        --n;
    buf.truncate(n);
    return buf;
}

} // namespace

std::optional<crypto::SecretBytes> readPassphrase(const std::optional<std::filesystem::path>& file,
                                                  const std::string& prompt) {
    std::optional<std::filesystem::path> path = file;
    if (!path) {
        if (const char* env = std::getenv("MINSHENG_PASSPHRASE_FILE"); env && *env)
            path = env;
    }
    if (path) {
        int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return std::nullopt;
        auto p = readFromFd(fd);
        ::close(fd);
        return p;
    }
    int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (tty < 0)
        return std::nullopt;
    (void)!::write(tty, prompt.data(), prompt.size());
    termios old{};
    const bool haveTermios = tcgetattr(tty, &old) == 0;
    if (haveTermios) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(tty, TCSAFLUSH, &quiet);
    }
    auto p = readFromFd(tty);
    if (haveTermios)
        tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    return p;
}

crypto::PassphraseSource cachedPassphraseSource(std::optional<std::filesystem::path> file) {
    auto cache = std::make_shared<std::optional<crypto::SecretBytes>>();
    return [cache,
            file](const std::filesystem::path& keyFile) -> std::optional<crypto::SecretBytes> {
        if (!*cache)
            *cache = readPassphrase(file, "Passphrase for " + keyFile.filename().string() + ": ");
        if (!*cache)
            return std::nullopt;
        return (*cache)->copy();
    };
}

} // namespace minsheng::county
