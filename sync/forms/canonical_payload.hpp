// The canonical payload: the exact bytes that are padded, sealed to the county and later opened
// and parsed there.
//
// Format (one JSON object, UTF-8, no whitespace, no trailing newline):
//
//   {"answers":{<field id>:<value>,...},"created":"YYYY-MM-DDTHH:MMZ","form":"<form id>",
//    "form_version":<integer>,"locale":"zh-CN"|"en"}
//
//   1. Object keys are sorted by byte order at every level (the top level's five keys already
//      are; field ids are ASCII identifiers).
//   2. Values: single and picker → the choice id string; multiple → array of choice id strings in
//      the order the form lists the options (not the order the parent touched them); text,
//      phone, date, time → string; scale → integer 1..5 in decimal. Unanswered fields (and empty
//      texts or choice lists) are omitted, never written as null or "".
//   3. Strings are escaped minimally: \" and \\, \b \t \n \f \r for those five control
//      characters, \u00XX with lowercase hex for the other characters below U+0020; everything
//      else, including non-ASCII, is raw UTF-8. This is byte-for-byte what
//      nlohmann::json::dump() produces, so the county can check canonicity by re-serialising.
//   4. "created" is UTC, rounded down to the minute: a payload says when, but not to the
//      second, so it does not help match a report to a face on a camera in the lobby. The
//      envelope header carries the same minute (crypto/envelope.hpp).
// Two answer sets that are equal produce identical bytes, whatever order they were entered in.
#pragma once

#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "sync/forms/answers.hpp"
#include "sync/forms/form.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace minsheng::forms {

/// Writes the canonical payload straight into guarded memory: answer text is never copied to an
/// ordinary heap string on the way. Preconditions (violations are programmer errors and throw
/// std::invalid_argument): validateAnswers(form, answers) is empty; locale is "zh-CN" or "en";
/// createdAtUnix is within the years 0000..9999.
crypto::SecretBytes buildCanonicalPayload(const Form& form, const Answers& answers,
                                          std::string_view locale, std::int64_t createdAtUnix);

/// The two halves of buildCanonicalPayload, for a caller that owns the guarded memory (the
/// kiosk's EnvelopeSealer writes the payload straight into the buffer it seals). The size checks
/// the same preconditions; `out` must be exactly that size, else std::invalid_argument.
std::size_t canonicalPayloadSize(const Form& form, const Answers& answers, std::string_view locale,
                                 std::int64_t createdAtUnix);
void writeCanonicalPayload(const Form& form, const Answers& answers, std::string_view locale,
                           std::int64_t createdAtUnix, std::span<std::uint8_t> out);

/// "YYYY-MM-DDTHH:MMZ" for a Unix time, rounded down to the minute (also for negative times).
/// Throws std::invalid_argument outside the years 0000..9999.
std::string formatPayloadTime(std::int64_t unixSeconds);

struct ParsedPayload {
    std::string formId;
    std::int64_t formVersion = 0;
    std::string locale;
    std::string created;        // as written, "YYYY-MM-DDTHH:MMZ"
    std::int64_t createdAt = 0; // the same, as Unix seconds
    nlohmann::json answers;     // object: field id → string | array of strings | integer
};

/// For the county side, after opening an envelope. Checks the shape described above and that the
/// bytes are canonical (re-serialising gives the same bytes), so two kiosks cannot describe the
/// same report differently. Does not check the answers against a form: the county may hold
/// several versions of it. The error is an English description for logs.
Result<ParsedPayload, std::string> parsePayload(std::string_view payload);

} // namespace minsheng::forms
