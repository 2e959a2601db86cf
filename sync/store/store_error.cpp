#include "sync/store/store_error.hpp"

namespace minsheng::sync {

std::string_view storeErrorCodeName(StoreError::Code code) {
    using C = StoreError::Code;
    switch (code) {
    case C::WrongKeyOrNotAnOutbox:
        return "wrong-key-or-not-an-outbox";
    case C::Corrupt:
        return "corrupt";
    case C::SchemaTooNew:
        return "schema-too-new";
    case C::Missing:
        return "missing";
    case C::Unwritable:
        return "unwritable";
    case C::DiskFull:
        return "disk-full";
    case C::Busy:
        return "busy";
    case C::KioskMismatch:
        return "kiosk-mismatch";
    case C::KeyUnusable:
        return "key-unusable";
    case C::InvalidInput:
        return "invalid-input";
    case C::UnknownEnvelope:
        return "unknown-envelope";
    case C::AckMismatch:
        return "ack-mismatch";
    case C::Io:
        return "io";
    }
    return "unknown";
}

} // namespace minsheng::sync
