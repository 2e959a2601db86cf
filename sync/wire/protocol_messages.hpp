// JSON wire forms of acknowledgements, heartbeats and case statuses (docs/protocol.md sections
// 8-10). As with envelopes, the *FromJson functions are the only place these are parsed: they
// validate every member and refuse unknown or duplicate ones. They do not verify signatures
// (that needs the right public key: crypto::verify* in crypto/signed_messages.hpp).
#pragma once

#include "crypto/result.hpp"
#include "crypto/signed_messages.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace minsheng::sync {

struct MessageWireError {
    std::string message; // which member is wrong and how
};

// {"kiosk","seq","hash","received_at","sig"}
nlohmann::json acknowledgementToJson(const crypto::Acknowledgement& ack);
[[nodiscard]] Result<crypto::Acknowledgement, MessageWireError>
acknowledgementFromJson(const nlohmann::json& value);

/// An acknowledgement as read from outside, or why it could not be.
using ParsedAcknowledgement = Result<crypto::Acknowledgement, MessageWireError>;

// {"v":1,"kiosk","last_seq","last_hash","queue","free_disk","sent_at","version","sig"} and, with
// the configuration extension, "config_version" and "config_failure" together
nlohmann::json heartbeatToJson(const crypto::Heartbeat& hb);
[[nodiscard]] Result<crypto::Heartbeat, MessageWireError>
heartbeatFromJson(const nlohmann::json& value);

// {"tag","status","received_at","updated_at","reply","sig"}
nlohmann::json caseStatusToJson(const crypto::CaseStatusRecord& record);
[[nodiscard]] Result<crypto::CaseStatusRecord, MessageWireError>
caseStatusFromJson(const nlohmann::json& value);

// {"v":1,"config_version","county_key","targets":[id...],"not_before","content_hash",
//  "files":{name:text...},"sig"}; "v" is the bundle's format version.
nlohmann::json configBundleToJson(const crypto::ConfigBundle& bundle);
[[nodiscard]] Result<crypto::ConfigBundle, MessageWireError>
configBundleFromJson(const nlohmann::json& value);
/// A bundle as it is stored and served: strict JSON text (the one parser of a bundle's text).
[[nodiscard]] Result<crypto::ConfigBundle, MessageWireError>
configBundleFromText(std::string_view text);

/// The body of every 4xx/5xx answer: {"error": code, "message": sentence}.
nlohmann::json errorBody(std::string_view code, std::string_view message);

} // namespace minsheng::sync
