#include "county/server/registry_cache.hpp"

#include <sys/stat.h>

namespace minsheng::server {
namespace {

std::int64_t mtimeNs(const std::filesystem::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0)
        return -1;
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

} // namespace

RegistryCache::RegistryCache(county::CountyDir dir, ErrorSink onError)
    : m_dir(std::move(dir)), m_onError(std::move(onError)) {}

bool RegistryCache::loadInitial() {
    const std::int64_t mtime = mtimeNs(m_dir.kiosksDir()); // before loading: a later change wins
    auto reg = county::KioskRegistry::load(m_dir);
    if (!reg) {
        m_onError(reg.error().message);
        return false;
    }
    std::lock_guard lock(m_mutex);
    m_registry = std::make_shared<const county::KioskRegistry>(std::move(*reg));
    m_dirMtimeNs = mtime;
    m_loadedAt = std::chrono::steady_clock::now();
    return true;
}

std::shared_ptr<const county::KioskRegistry> RegistryCache::current() {
    std::lock_guard lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t mtime = mtimeNs(m_dir.kiosksDir());
    if (mtime == m_dirMtimeNs && now - m_loadedAt < std::chrono::seconds(10))
        return m_registry;
    auto reg = county::KioskRegistry::load(m_dir);
    m_loadedAt = now;
    if (!reg) {
        if (reg.error().message != m_lastError) {
            m_lastError = reg.error().message;
            m_onError("kiosk registry not reloaded, the last good one stays in use: " +
                      m_lastError);
        }
        return m_registry;
    }
    m_lastError.clear();
    m_dirMtimeNs = mtime;
    m_registry = std::make_shared<const county::KioskRegistry>(std::move(*reg));
    return m_registry;
}

} // namespace minsheng::server
