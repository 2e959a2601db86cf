#include "county/staff/new_password_prompt.hpp"

#include "county/office/passphrase_prompt.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace minsheng::staff {
namespace {

/// One line from the terminal with echo off; nullopt when there is no terminal.
std::optional<crypto::SecretBytes> askOnTerminal(const std::string& prompt) {
    const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
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
    crypto::SecretBytes line(4096);
    std::size_t n = 0;
    while (n < line.size()) {
        char c;
        if (::read(tty, &c, 1) <= 0 || c == '\n')
            break;
        line.data()[n++] = static_cast<std::uint8_t>(c);
    }
    if (n > 0 && line.data()[n - 1] == '\r')
        --n;
    line.truncate(n);
    if (haveTermios)
        tcsetattr(tty, TCSAFLUSH, &old);
    (void)!::write(tty, "\n", 1);
    ::close(tty);
    return line;
}

} // namespace

Result<crypto::SecretBytes, std::string>
readNewPassword(const std::optional<std::filesystem::path>& file, const std::string& accountName) {
    if (file) {
        auto p = county::readPassphrase(file, "");
        if (!p)
            return fail("无法读取密码文件 Cannot read the password file " + file->string() + ".");
        return std::move(*p);
    }
    auto first = askOnTerminal("新密码 New password for " + accountName + ": ");
    if (!first)
        return fail("没有终端 There is no terminal to ask for the password: use --password-file F "
                    "(a file only you can read; delete it afterwards).");
    auto second = askOnTerminal("再输入一次 Again: ");
    if (!second || !first->equals(second->span()))
        return fail("两次输入的密码不一致 The two passwords differ; nothing was changed.");
    return std::move(*first);
}

} // namespace minsheng::staff
