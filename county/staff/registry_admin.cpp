#include "county/staff/registry_admin.hpp"

#include "crypto/atomic_file.hpp"
#include "crypto/key_file.hpp"
#include "sync/wire/minute_time.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace minsheng::staff {

namespace fs = std::filesystem;
using county::CountyError;

Result<crypto::Ed25519PublicKey, CountyError> readKioskPublicKey(const fs::path& file) {
    auto key = crypto::readEd25519PublicKey(file, crypto::KeyKind::KioskSigningPublic);
    if (key)
        return *key;
    // A bare hex key, e.g. read off a kiosk's service screen.
    std::ifstream in(file);
    std::string text;
    std::getline(in, text);
    while (!text.empty() && (text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    if (text.size() == 64)
        if (auto bytes = crypto::fromHex(text); bytes && bytes->size() == 32) {
            crypto::Ed25519PublicKey k;
            std::copy(bytes->begin(), bytes->end(), k.bytes.begin());
            return k;
        }
    return fail(CountyError{key.error().message +
                            " (A kiosk public key is a key file of kind kiosk-signing-public, or "
                            "a file with its 64 hex digits. Never carry a secret key.)"});
}

Result<Ok, CountyError> revokeKiosk(const county::CountyDir& dir, const std::string& kioskId,
                                    const std::string& reason, std::int64_t now) {
    auto reg = county::KioskRegistry::load(dir);
    if (!reg)
        return fail(reg.error());
    const auto* k = reg->find(kioskId);
    if (!k)
        return fail(CountyError{"kiosk \"" + kioskId + "\" is not enrolled in " +
                                dir.kiosksDir().string() + "; see `minsheng-county kiosks --dir " +
                                dir.root().string() + "`."});
    const fs::path file = dir.kiosksDir() / (kioskId + ".revoked");
    if (k->revoked)
        return fail(CountyError{"kiosk \"" + kioskId + "\" is already revoked (" + file.string() +
                                "). Nothing was changed."});
    std::string oneLine = reason;
    for (char& c : oneLine)
        if (c == '\n' || c == '\r')
            c = ' ';
    const std::string text = "# Kiosk " + kioskId + " revoked with minsheng-county revoke.\n" +
                             "revoked-at: " + sync::formatMinuteUtc(sync::floorToMinute(now)) +
                             "\nreason: " + oneLine + "\n";
    auto written = crypto::writeFileAtomically(file, text, 0600, crypto::Existing::Refuse);
    if (!written) {
        using AtomicCode = crypto::AtomicFileError::Code;
        if (written.error().code == AtomicCode::AlreadyExists ||
            written.error().code == AtomicCode::Unwritable)
            return fail(CountyError{"cannot create " + file.string() + " (" +
                                    std::strerror(written.error().sysErrno) +
                                    "). Check that the county folder is writable."});
        return fail(CountyError{"cannot write " + file.string() + "; check free space."});
    }
    return Ok{};
}

} // namespace minsheng::staff
