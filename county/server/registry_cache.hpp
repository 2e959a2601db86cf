// RegistryCache: the kiosk registry (DIR/kiosks) as the intake server sees it, reloaded when
// the folder changes.
//
// Enrolling (`provision`) and revoking (creating kiosks/<id>.revoked) add files, which changes
// the folder's modification time: every look-up compares it (one stat) and reloads at once, so a
// revocation takes effect on the next request. A full reload also happens every 10 s to catch
// files edited in place. If a reload fails (a damaged file), the last good registry stays in
// use and the problem is reported once through `onError`.
#pragma once

#include "county/office/kiosk_registry.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace minsheng::server {

class RegistryCache {
public:
    using ErrorSink = std::function<void(const std::string&)>;
    RegistryCache(county::CountyDir dir, ErrorSink onError);
    /// Loads the registry for the first time; false (and onError) when it cannot be read.
    bool loadInitial();
    /// The current registry (never null after loadInitial succeeded).
    std::shared_ptr<const county::KioskRegistry> current();

private:
    county::CountyDir m_dir;
    ErrorSink m_onError;
    std::mutex m_mutex;
    std::shared_ptr<const county::KioskRegistry> m_registry;
    std::int64_t m_dirMtimeNs = -1;
    std::chrono::steady_clock::time_point m_loadedAt{};
    std::string m_lastError;
};

} // namespace minsheng::server
