#include "county/staff/new_password_prompt.hpp"

#include "county/office/passphrase_prompt.hpp"

#include <cstdlib>

namespace minsheng::staff {

Result<crypto::SecretBytes, std::string>
readNewPassword(const std::optional<std::filesystem::path>& file, const std::string& accountName) {
    if (file) {
        auto p = county::readPassphrase(file, "");
        if (!p)
            return fail("无法读取密码文件 Cannot read the password file " + file->string() + ".");
        return std::move(*p);
    }
    // readPassphrase() would read the county passphrase from this variable instead of asking.
    if (const char* env = std::getenv("MINSHENG_PASSPHRASE_FILE"); env && *env)
        return fail("请用 --password-file MINSHENG_PASSPHRASE_FILE is set (it names the county "
                    "passphrase, never a password): give the new password with --password-file F, "
                    "or run without that variable to be asked.");
    auto first =
        county::readPassphrase(std::nullopt, "新密码 New password for " + accountName + ": ");
    if (!first)
        return fail("没有终端 There is no terminal to ask for the password: use --password-file F "
                    "(a file only you can read; delete it afterwards).");
    auto second = county::readPassphrase(std::nullopt, "再输入一次 Again: ");
    if (!second || !first->equals(second->span()))
        return fail("两次输入的密码不一致 The two passwords differ; nothing was changed.");
    return std::move(*first);
}

} // namespace minsheng::staff
