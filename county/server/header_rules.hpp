// HeaderRules: what the intake server checks in a verified envelope's header before storing it
// (docs/protocol.md section 5, step 5). The server cannot open a payload, but it sees the header a
// kiosk signed, and a misbehaving enrolled kiosk must not get nonsense into the county's store:
//
//   - `created` more than a day ahead of the server's clock is refused (`bad-created`). A day
//     covers any time zone or clock drift; a kiosk whose clock is that far ahead keeps the
//     envelope in its outbox and says so on its health screen. Old `created` times are accepted:
//     a kiosk that was offline for months delivers a genuine backlog.
//   - a form id the county does not publish, or a form whose kind (complaint or survey) differs
//     from the envelope's, is refused (`unknown-form`). The known forms are the ones in
//     DIR/forms, read at start; when DIR/forms cannot be read the check is off and the server
//     says so once in its log.
//
// Both rules read fields only a version-1 header has; a version-2 header carries neither the
// minute nor the form (they are sealed), so it passes, and the staff tool checks the payload's
// form and minute once it has opened it (county/office/envelope_opener.hpp).
//
// Receipt tags and per-kiosk storage are checked by the store, inside the batch's transaction
// (intake_schema.hpp invariants 10 and 11).
#pragma once

#include "county/office/county_dir.hpp"
#include "crypto/envelope.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace minsheng::server {

/// How far ahead of the server's clock a `created` time may be.
inline constexpr std::int64_t kMaxCreatedAheadSeconds = 24 * 3600;

struct HeaderRefusal {
    std::string code;    // "bad-created" | "unknown-form"
    std::string message; // a sentence for the kiosk's log
};

struct HeaderRules {
    /// Form id → envelope kind; nullopt: the forms are unknown and not checked.
    std::optional<std::map<std::string, crypto::EnvelopeKind, std::less<>>> forms;

    /// Why `header` is refused, or nullopt when it passes.
    std::optional<HeaderRefusal> check(const crypto::EnvelopeHeader& header,
                                       std::int64_t now) const;
};

/// The forms of DIR/forms (complaint.toml, survey.toml, with lists.toml). When they cannot be
/// loaded, the rules have no forms and `warn` receives one sentence saying why.
HeaderRules loadHeaderRules(const county::CountyDir& dir,
                            const std::function<void(const std::string&)>& warn);

} // namespace minsheng::server
