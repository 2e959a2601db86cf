// ConsoleSessions: who is logged in to the office console, held in the console process's memory
// only (a restart logs everyone out; nothing about a session is written to disk).
//
// A session is made by a correct password (StaffAccounts::authenticate) and is named by a
// cookie value of 32 random bytes (64 hex digits). The table is keyed by the BLAKE2b-256 hash of
// that value, so a lookup's timing says nothing about a stored value, and the values themselves
// are never kept. Each session carries its own CSRF token (32 random bytes), which every change
// must echo in the X-CSRF-Token header; it is compared in constant time.
//
// Invariants:
//   1. A session unused for `idleSeconds` is gone: the next lookup removes it and fails.
//   2. A session lives at most `maxAgeSeconds` however busy it is (a stolen cookie ages out).
//   3. At most `maxSessions` live at once; opening one more drops the least recently used.
//   4. Disabling an account or changing its password ends its sessions (closeAllOf).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::console {

using Clock = std::function<std::int64_t()>; // Unix seconds

inline constexpr const char* kSessionCookieName = "minsheng_session";

struct ConsoleSession {
    std::int64_t userId = 0;
    std::string csrfToken; // 64 hex digits
    std::int64_t createdAt = 0;
    std::int64_t lastSeenAt = 0;
};

struct SessionLimits {
    std::int64_t idleSeconds = 30 * 60;
    std::int64_t maxAgeSeconds = 12 * 3600;
    std::size_t maxSessions = 500;
};

class ConsoleSessions {
public:
    explicit ConsoleSessions(Clock clock, SessionLimits limits = {})
        : m_clock(std::move(clock)), m_limits(limits) {}

    struct Opened {
        std::string cookieValue; // for Set-Cookie; not kept here
        ConsoleSession session;
    };
    Opened open(std::int64_t userId);

    /// The live session named by `cookieValue`, its last use set to now; nullopt when there is
    /// none, or it expired (then it is removed).
    std::optional<ConsoleSession> touch(std::string_view cookieValue);

    void close(std::string_view cookieValue);
    void closeAllOf(std::int64_t userId);
    std::size_t size() const;

    const SessionLimits& limits() const { return m_limits; }

private:
    Clock m_clock;
    SessionLimits m_limits;
    mutable std::mutex m_mutex;
    std::map<std::string, ConsoleSession> m_byHash; // key: BLAKE2b-256 of the cookie value
};

/// Constant-time comparison of a presented CSRF token with the session's.
[[nodiscard]] bool csrfTokenMatches(const ConsoleSession& session, std::string_view presented);

/// The value of cookie `name` in a Cookie header ("a=1; b=2"), or empty.
std::string_view cookieValue(std::string_view cookieHeader, std::string_view name);

/// The Set-Cookie value that names a session: HttpOnly, Secure, SameSite=Strict, Path=/.
std::string sessionCookie(std::string_view value);
/// The Set-Cookie value that removes it.
std::string expiredSessionCookie();

} // namespace minsheng::console
