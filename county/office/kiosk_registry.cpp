#include "county/office/kiosk_registry.hpp"

#include "crypto/key_file.hpp"

#include <algorithm>

namespace minsheng::county {
namespace fs = std::filesystem;

bool isValidKioskId(const std::string& id) {
    return !id.empty() && id.size() <= 64 &&
           std::all_of(
               id.begin(), id.end(),
               [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

Result<KioskRegistry, CountyError> KioskRegistry::load(const CountyDir& dir) {
    KioskRegistry reg;
    std::error_code ec;
    if (!fs::is_directory(dir.kiosksDir(), ec))
        return fail(
            CountyError{dir.kiosksDir().string() +
                        " not found: is this a county folder made by minsheng-county init?"});
    for (const auto& entry : fs::directory_iterator(dir.kiosksDir(), ec)) {
        if (entry.path().extension() != ".pub")
            continue;
        const std::string id = entry.path().stem().string();
        auto key = crypto::readKeyFile(entry.path(), crypto::KeyKind::KioskSigningPublic);
        if (!key)
            return fail(CountyError{key.error().message});
        EnrolledKiosk k;
        k.id = id;
        bool idLabelMatches = false;
        for (const auto& l : key->labels) {
            if (l.rfind("name=", 0) == 0)
                k.name = l.substr(5);
            if (l == "kiosk-id=" + id)
                idLabelMatches = true;
        }
        if (!idLabelMatches || !isValidKioskId(id))
            return fail(CountyError{entry.path().string() +
                                    ": the file name and its kiosk-id label disagree; a kiosk key "
                                    "must be stored as kiosks/<kiosk-id>.pub."});
        std::copy(key->bytes.data(), key->bytes.data() + 32, k.publicKey.bytes.begin());
        k.revoked = fs::exists(dir.kiosksDir() / (id + ".revoked"), ec);
        reg.m_kiosks.emplace(id, std::move(k));
    }
    if (ec)
        return fail(CountyError{"cannot list " + dir.kiosksDir().string() + ": " + ec.message()});
    return reg;
}

Result<Ok, CountyError> KioskRegistry::enroll(const CountyDir& dir, const std::string& id,
                                              const std::string& name,
                                              const crypto::Ed25519PublicKey& key) {
    if (!isValidKioskId(id))
        return fail(CountyError{"kiosk id \"" + id +
                                "\" is not valid: use 1-64 lower-case letters, digits and '-'."});
    const fs::path file = dir.kiosksDir() / (id + ".pub");
    std::error_code ec;
    if (fs::exists(file, ec))
        return fail(CountyError{"kiosk \"" + id + "\" is already enrolled (" + file.string() +
                                "). Each kiosk id is used once; pick a new one."});
    auto r = crypto::writeKeyFile(file, crypto::KeyKind::KioskSigningPublic, key.bytes,
                                  {"kiosk-id=" + id, "name=" + name});
    if (!r)
        return fail(CountyError{r.error().message});
    return Ok{};
}

const EnrolledKiosk* KioskRegistry::find(const std::string& id) const {
    auto it = m_kiosks.find(id);
    return it == m_kiosks.end() ? nullptr : &it->second;
}

} // namespace minsheng::county
