#include "sync/forms/canonical_payload.hpp"
#include "crypto/envelope.hpp"
#include "sync/forms/validation.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace minsheng::forms {

static_assert(kMaxPayloadBytes == crypto::kMaxPayloadBytes,
              "forms must bound payloads by what the envelope can seal");

namespace {

/// First pass: only counts, so the SecretBytes can be allocated at its exact size.
struct CountingWriter {
    std::size_t size = 0;
    void put(char) { ++size; }
    void put(std::string_view s) { size += s.size(); }
};

/// Second pass: writes into the guarded buffer.
struct BufferWriter {
    std::uint8_t* out;
    std::size_t pos = 0;
    void put(char c) { out[pos++] = static_cast<std::uint8_t>(c); }
    void put(std::string_view s) {
        std::memcpy(out + pos, s.data(), s.size());
        pos += s.size();
    }
};

template <class W>
void putString(W& w, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    w.put('"');
    std::size_t run = 0; // start of the current stretch of bytes that need no escaping
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        w.put(s.substr(run, i - run));
        run = i + 1;
        switch (c) {
        case '"':
            w.put("\\\"");
            break;
        case '\\':
            w.put("\\\\");
            break;
        case '\b':
            w.put("\\b");
            break;
        case '\t':
            w.put("\\t");
            break;
        case '\n':
            w.put("\\n");
            break;
        case '\f':
            w.put("\\f");
            break;
        case '\r':
            w.put("\\r");
            break;
        default:
            w.put("\\u00");
            w.put(kHex[c >> 4]);
            w.put(kHex[c & 0xF]);
            break;
        }
    }
    w.put(s.substr(run));
    w.put('"');
}

template <class W>
void putInteger(W& w, std::int64_t v) {
    char digits[24];
    const auto n = std::snprintf(digits, sizeof digits, "%lld", static_cast<long long>(v));
    w.put(std::string_view(digits, static_cast<std::size_t>(n)));
}

template <class W>
void writePayload(W& w, const Form& form, const Answers& answers, std::string_view locale,
                  std::string_view created) {
    w.put("{\"answers\":{");
    bool first = true;
    std::vector<const std::pmr::string*> ordered; // pointers only: no copies of answer text
    for (const auto& [id, answer] : answers) {    // map order = byte order of ids
        if (answer.isEmpty())
            continue;
        const Field* f = form.find(id);
        if (!first)
            w.put(',');
        first = false;
        putString(w, id);
        w.put(':');
        switch (answer.kind()) {
        case AnswerKind::Choice:
        case AnswerKind::Text:
            putString(w, answer.text());
            break;
        case AnswerKind::Integer:
            putInteger(w, answer.integer());
            break;
        case AnswerKind::Choices: {
            ordered.clear();
            for (const auto& c : answer.choices())
                ordered.push_back(&c);
            std::sort(ordered.begin(), ordered.end(), [f](const auto* a, const auto* b) {
                return f->optionIndex(*a) < f->optionIndex(*b);
            });
            w.put('[');
            for (std::size_t i = 0; i < ordered.size(); ++i) {
                if (i > 0)
                    w.put(',');
                putString(w, *ordered[i]);
            }
            w.put(']');
            break;
        }
        }
    }
    w.put("},\"created\":");
    putString(w, created);
    w.put(",\"form\":");
    putString(w, form.id);
    w.put(",\"form_version\":");
    putInteger(w, form.version);
    w.put(",\"locale\":");
    putString(w, locale);
    w.put('}');
}

int digits(std::string_view s, std::size_t pos, std::size_t n) {
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/// Inverse of formatPayloadTime; nullopt unless the text is exactly that format and a real time.
std::optional<std::int64_t> parsePayloadTime(std::string_view s) {
    using namespace std::chrono;
    if (s.size() != 17 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
        s[16] != 'Z')
        return std::nullopt;
    const int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2);
    const int h = digits(s, 11, 2), mi = digits(s, 14, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59)
        return std::nullopt;
    const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                             day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    const auto tp = sys_days{ymd} + hours{h} + minutes{mi};
    return duration_cast<seconds>(tp.time_since_epoch()).count();
}

} // namespace

std::string formatPayloadTime(std::int64_t unixSeconds) {
    using namespace std::chrono;
    const sys_seconds tp{seconds{unixSeconds}};
    const auto minute = floor<minutes>(tp); // floor, not truncation: correct before 1970 too
    const auto day = floor<days>(minute);
    const year_month_day ymd{day};
    const hh_mm_ss hms{minute - day};
    const int y = static_cast<int>(ymd.year());
    if (y < 0 || y > 9999)
        throw std::invalid_argument("formatPayloadTime: year outside 0000..9999");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02dZ", y,
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
    return buf;
}

std::size_t canonicalPayloadSize(const Form& form, const Answers& answers, std::string_view locale,
                                 std::int64_t createdAtUnix) {
    if (!isSupportedLocale(locale))
        throw std::invalid_argument("canonical payload: unsupported locale");
    const auto errors = validateAnswers(form, answers);
    if (!errors.empty()) {
        // Field id and code only: the message must not carry what the parent wrote.
        throw std::invalid_argument(
            "canonical payload: answers do not validate (field \"" + errors.front().field +
            "\": " + std::string(fieldErrorCodeName(errors.front().code)) + ")");
    }
    CountingWriter counter;
    writePayload(counter, form, answers, locale, formatPayloadTime(createdAtUnix));
    if (counter.size > kMaxPayloadBytes) {
        // The loader's worst-case bound makes this unreachable for a loaded form.
        throw std::invalid_argument("canonical payload: larger than kMaxPayloadBytes");
    }
    return counter.size;
}

void writeCanonicalPayload(const Form& form, const Answers& answers, std::string_view locale,
                           std::int64_t createdAtUnix, std::span<std::uint8_t> out) {
    if (out.size() != canonicalPayloadSize(form, answers, locale, createdAtUnix))
        throw std::invalid_argument("writeCanonicalPayload: `out` is not the payload's size");
    BufferWriter writer{out.data()};
    writePayload(writer, form, answers, locale, formatPayloadTime(createdAtUnix));
    if (writer.pos != out.size())
        throw std::logic_error("writeCanonicalPayload: the two passes disagree");
}

crypto::SecretBytes buildCanonicalPayload(const Form& form, const Answers& answers,
                                          std::string_view locale, std::int64_t createdAtUnix) {
    crypto::SecretBytes out(canonicalPayloadSize(form, answers, locale, createdAtUnix));
    writeCanonicalPayload(form, answers, locale, createdAtUnix, out.span());
    return out;
}

Result<ParsedPayload, std::string> parsePayload(std::string_view payload) {
    if (payload.size() > kMaxPayloadBytes)
        return fail(std::string("payload larger than kMaxPayloadBytes"));
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(payload.begin(), payload.end());
    } catch (const nlohmann::json::parse_error& e) {
        // The position only: nlohmann's own message quotes the offending bytes, which need not
        // be UTF-8, and this text ends up in JSON reports and alarms.
        return fail("payload is not JSON (syntax error at byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {
        // out_of_range.406: a number that does not fit a double, such as 1e999.
        return fail(std::string("payload is not JSON this parser accepts (a number out of range)"));
    }
    if (!doc.is_object())
        return fail(std::string("payload is not a JSON object"));
    for (const auto& [key, value] : doc.items())
        if (key != "answers" && key != "created" && key != "form" && key != "form_version" &&
            key != "locale")
            return fail("payload has unknown key \"" + key + "\"");
    const auto need = [&](const char* key) {
        return doc.contains(key);
    };
    if (!need("answers") || !need("created") || !need("form") || !need("form_version") ||
        !need("locale")) {
        return fail(
            std::string("payload lacks one of answers, created, form, form_version, locale"));
    }
    ParsedPayload p;
    const auto& answers = doc["answers"];
    if (!answers.is_object())
        return fail(std::string("\"answers\" is not an object"));
    for (const auto& [key, value] : answers.items()) {
        const bool okValue =
            value.is_string() || value.is_number_integer() ||
            (value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const auto& v) { return v.is_string(); }));
        if (!okValue)
            return fail("answer \"" + key + "\" is not a string, integer or list of strings");
    }
    if (!doc["created"].is_string() || !doc["form"].is_string() ||
        !doc["form_version"].is_number_integer() || !doc["locale"].is_string()) {
        return fail(std::string("created, form or locale is not a string, or form_version is "
                                "not an integer"));
    }
    p.created = doc["created"].get<std::string>();
    const auto createdAt = parsePayloadTime(p.created);
    if (!createdAt)
        return fail("\"created\" is not YYYY-MM-DDTHH:MMZ: " + p.created);
    p.createdAt = *createdAt;
    p.formId = doc["form"].get<std::string>();
    const auto& version = doc["form_version"];
    if (!version.is_number_unsigned() || version.get<std::uint64_t>() < 1 ||
        version.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        return fail(std::string("\"form_version\" is not a positive integer"));
    p.formVersion = version.get<std::int64_t>();
    p.locale = doc["locale"].get<std::string>();
    if (!isSupportedLocale(p.locale))
        return fail("unsupported locale \"" + p.locale + "\"");
    if (doc.dump() != payload)
        return fail(std::string("payload is valid JSON but not in canonical form"));
    p.answers = answers;
    return p;
}

} // namespace minsheng::forms
