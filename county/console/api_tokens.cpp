#include "county/console/api_tokens.hpp"

#include "crypto/atomic_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <array>
#include <fstream>
#include <sstream>

namespace minsheng::console {

namespace {

std::string tokenHash(std::string_view token) {
    std::string out(crypto_generichash_BYTES, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                       0);
    return out;
}

std::string toHex(std::string_view bytes) {
    std::string hex(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                   bytes.size());
    hex.pop_back();
    return hex;
}

Failure<ApiTokenError> tokenError(std::string message) {
    return fail(ApiTokenError{std::move(message)});
}

} // namespace

Result<ApiTokens, ApiTokenError> ApiTokens::load(const std::filesystem::path& file) {
    ApiTokens tokens;
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        return tokens; // none issued yet
    if (st.st_mode & 077)
        return tokenError(file.string() + " may be read by others; run `chmod 600 " +
                          file.string() + "`.");
    std::ifstream in(file);
    if (!in)
        return tokenError("cannot read " + file.string() + ".");
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line.front() == '#')
            continue;
        std::istringstream fields(line);
        std::string account, hex, extra;
        fields >> account >> hex;
        std::string raw(crypto_generichash_BYTES, '\0');
        std::size_t length = 0;
        if (account.empty() || hex.size() != 64 || (fields >> extra) ||
            sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), hex.data(),
                           hex.size(), nullptr, &length, nullptr) != 0 ||
            length != raw.size())
            return tokenError(file.string() + " line " + std::to_string(number) +
                              ": expected \"ACCOUNT HASH\" (64 hex digits); issue the token "
                              "again with `minsheng-county api-token`.");
        tokens.m_entries.emplace_back(account, raw);
    }
    return tokens;
}

std::optional<std::string> ApiTokens::accountFor(std::string_view token) const {
    if (token.empty())
        return std::nullopt;
    const auto presented = tokenHash(token);
    std::optional<std::string> found;
    for (const auto& [account, hash] : m_entries)
        if (sodium_memcmp(hash.data(), presented.data(), hash.size()) == 0)
            found = account; // no early exit: every entry is compared
    return found;
}

Result<std::string, ApiTokenError> ApiTokens::issue(const std::filesystem::path& file,
                                                    const std::string& account) {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    const std::string token =
        "mst_" + toHex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    sodium_memzero(bytes.data(), bytes.size());
    std::erase_if(m_entries, [&account](const auto& e) { return e.first == account; });
    m_entries.emplace_back(account, tokenHash(token));
    if (auto saved = save(file); !saved)
        return fail(saved.error());
    return token;
}

Result<bool, ApiTokenError> ApiTokens::revoke(const std::filesystem::path& file,
                                              const std::string& account) {
    const auto before = m_entries.size();
    std::erase_if(m_entries, [&account](const auto& e) { return e.first == account; });
    if (m_entries.size() == before)
        return false;
    if (auto saved = save(file); !saved)
        return fail(saved.error());
    return true;
}

Result<Ok, ApiTokenError> ApiTokens::save(const std::filesystem::path& file) const {
    std::string text = "# Office console API tokens: account and BLAKE2b-256 of its token.\n"
                       "# Managed by `minsheng-county api-token`; the tokens themselves are "
                       "not kept.\n";
    for (const auto& [account, hash] : m_entries)
        text += account + " " + toHex(hash) + "\n";
    auto written = crypto::writeFileAtomically(file, text, 0600, crypto::Existing::Replace);
    if (!written)
        return tokenError("cannot write " + file.string() + ".");
    return Ok{};
}

} // namespace minsheng::console
