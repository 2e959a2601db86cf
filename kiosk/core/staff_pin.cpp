#include "kiosk/core/staff_pin.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace minsheng::kiosk {

bool isValidStaffPin(std::string_view pin) {
    return pin.size() >= 4 && pin.size() <= 12 &&
           pin.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string hashStaffPin(std::string_view pin) {
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(out, pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        throw std::runtime_error("crypto_pwhash_str: out of memory");
    return std::string(out);
}

bool verifyStaffPin(const std::string& hash, std::string_view pin) {
    if (hash.empty())
        return false;
    return crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0;
}

void StaffPinLock::recordFailure(std::int64_t nowUnix) {
    ++m_failures;
    if (m_failures < kFreeAttempts)
        return;
    const int extra = std::min(m_failures - kFreeAttempts, 20);
    const std::int64_t lock = std::min(kFirstLockSeconds << extra, kMaxLockSeconds);
    m_lockedUntil = nowUnix + lock;
}

} // namespace minsheng::kiosk
