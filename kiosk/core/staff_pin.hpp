// The staff PIN: hashing, checking, and the lock-out that makes guessing slow.
//
// The kiosk configuration holds only an Argon2id hash (crypto_pwhash_str, libsodium's
// "interactive" limits), so reading kiosk.toml does not reveal the PIN. Staff mode shows health
// figures only — never submission content — but it can trigger a sync, so guessing is limited:
//   1. The first kFreeAttempts wrong PINs cost nothing but the hash time.
//   2. Every wrong PIN after that locks the pad: 30 s after the 5th, then doubling per further
//      failure (60 s, 120 s, ...) up to one hour.
//   3. A correct PIN resets the count. The count lives in the kiosk flow, not in a parent's
//      session, so walking away and coming back does not reset it; restarting the process does
//      (a restart is visible to the county as a gap in heartbeats, and takes a minute).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace minsheng::kiosk {

/// 4..12 ASCII digits.
bool isValidStaffPin(std::string_view pin);

/// "$argon2id$..." for `pin`. Throws std::runtime_error when libsodium cannot allocate the
/// hashing memory (start-up/CLI only).
std::string hashStaffPin(std::string_view pin);

/// Constant-time as libsodium makes it; false for a malformed hash.
[[nodiscard]] bool verifyStaffPin(const std::string& hash, std::string_view pin);

class StaffPinLock {
public:
    static constexpr int kFreeAttempts = 5;
    static constexpr std::int64_t kFirstLockSeconds = 30;
    static constexpr std::int64_t kMaxLockSeconds = 3600;

    bool isLocked(std::int64_t nowUnix) const { return nowUnix < m_lockedUntil; }
    /// Seconds until the pad accepts a PIN again; 0 when it does now.
    std::int64_t secondsLeft(std::int64_t nowUnix) const {
        return isLocked(nowUnix) ? m_lockedUntil - nowUnix : 0;
    }
    int failures() const { return m_failures; }

    void recordFailure(std::int64_t nowUnix);
    void recordSuccess() {
        m_failures = 0;
        m_lockedUntil = 0;
    }

private:
    int m_failures = 0;
    std::int64_t m_lockedUntil = 0;
};

} // namespace minsheng::kiosk
