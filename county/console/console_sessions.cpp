#include "county/console/console_sessions.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

namespace minsheng::console {

namespace {

std::string randomHex32() {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    std::string hex(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
    hex.pop_back();
    sodium_memzero(bytes.data(), bytes.size());
    return hex;
}

std::string hashOf(std::string_view cookieValue) {
    std::string out(crypto_generichash_BYTES, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                       reinterpret_cast<const unsigned char*>(cookieValue.data()),
                       cookieValue.size(), nullptr, 0);
    return out;
}

} // namespace

ConsoleSessions::Opened ConsoleSessions::open(std::int64_t userId) {
    const auto now = m_clock();
    Opened opened{randomHex32(), ConsoleSession{userId, randomHex32(), now, now}};
    std::lock_guard lock(m_mutex);
    while (m_byHash.size() >= m_limits.maxSessions && !m_byHash.empty()) {
        auto oldest = std::min_element(m_byHash.begin(), m_byHash.end(), [](auto& a, auto& b) {
            return a.second.lastSeenAt < b.second.lastSeenAt;
        });
        m_byHash.erase(oldest);
    }
    m_byHash[hashOf(opened.cookieValue)] = opened.session;
    return opened;
}

std::optional<ConsoleSession> ConsoleSessions::touch(std::string_view cookieValue) {
    if (cookieValue.size() != 64)
        return std::nullopt;
    const auto now = m_clock();
    std::lock_guard lock(m_mutex);
    auto it = m_byHash.find(hashOf(cookieValue));
    if (it == m_byHash.end())
        return std::nullopt;
    auto& s = it->second;
    if (now - s.lastSeenAt >= m_limits.idleSeconds || now - s.createdAt >= m_limits.maxAgeSeconds) {
        m_byHash.erase(it);
        return std::nullopt;
    }
    s.lastSeenAt = now;
    return s;
}

void ConsoleSessions::close(std::string_view cookieValue) {
    std::lock_guard lock(m_mutex);
    m_byHash.erase(hashOf(cookieValue));
}

void ConsoleSessions::closeAllOf(std::int64_t userId) {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_byHash, [userId](const auto& entry) { return entry.second.userId == userId; });
}

std::size_t ConsoleSessions::size() const {
    std::lock_guard lock(m_mutex);
    return m_byHash.size();
}

bool csrfTokenMatches(const ConsoleSession& session, std::string_view presented) {
    if (presented.size() != session.csrfToken.size() || presented.empty())
        return false;
    return sodium_memcmp(presented.data(), session.csrfToken.data(), presented.size()) == 0;
}

std::string_view cookieValue(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semi = header.find(';');
        auto pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ')
            pair.remove_prefix(1);
        const auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name)
            return pair.substr(eq + 1);
    }
    return {};
}

std::string sessionCookie(std::string_view value) {
    return std::string(kSessionCookieName) + "=" + std::string(value) +
           "; Path=/; HttpOnly; Secure; SameSite=Strict";
}

std::string expiredSessionCookie() {
    return std::string(kSessionCookieName) +
           "=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0";
}

} // namespace minsheng::console
