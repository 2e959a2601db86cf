#include "county/office/county_dir.hpp"

#include "county/office/county_tls.hpp"
#include "crypto/atomic_file.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <toml++/toml.h>
#include <unistd.h>

namespace minsheng::county {
namespace fs = std::filesystem;
using crypto::KeyKind;

namespace {

Result<Ok, CountyError> keyWrite(const fs::path& p, KeyKind kind,
                                 std::span<const std::uint8_t> bytes, const InitOptions& o,
                                 bool protect) {
    auto r =
        crypto::writeKeyFile(p, kind, bytes, {}, protect ? o.passphrase : nullptr, o.protection);
    if (!r)
        return countyError(r.error().message);
    return Ok{};
}

} // namespace

std::optional<std::string> readWholeFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string tomlBasicString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += c;
        }
    }
    return out + "\"";
}

namespace {

/// The first of $MINSHENG_CONFIG_DIR/SUB, the installed share folder's SUB (next to the binary,
/// then the install prefix) and the source tree's config/SUB that holds `probe`.
std::optional<fs::path> shippedConfigDir(const char* sub, const char* probe) {
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("MINSHENG_CONFIG_DIR"); env && *env)
        candidates.emplace_back(fs::path(env) / sub);
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec)
        candidates.push_back(exe.parent_path().parent_path() / "share/minsheng" / sub);
    candidates.emplace_back(fs::path(MINSHENG_INSTALL_CONFIG_DIR) / sub);
    candidates.emplace_back(fs::path(MINSHENG_SOURCE_CONFIG_DIR) / sub);
    for (const auto& c : candidates)
        if (fs::exists(c / probe, ec))
            return c;
    return std::nullopt;
}

} // namespace

std::optional<fs::path> defaultFormsDir() {
    return shippedConfigDir("forms", "complaint.toml");
}

std::optional<fs::path> defaultCalendarFile() {
    auto dir = shippedConfigDir("calendar", kShippedCalendarName);
    return dir ? std::optional<fs::path>(*dir / kShippedCalendarName) : std::nullopt;
}

std::string defaultListenFor(const std::string& url) {
    std::string authority =
        url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3);
    authority = authority.substr(0, authority.find_first_of("/?#"));
    std::string host = authority, port = "443";
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        host = authority.substr(1, close == std::string::npos ? std::string::npos : close - 1);
        if (close != std::string::npos && authority.compare(close + 1, 1, ":") == 0)
            port = authority.substr(close + 2);
    } else if (const auto colon = authority.rfind(':'); colon != std::string::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host == "::1")
        return "[::1]:" + port;
    const bool loopback = host == "localhost" || host.rfind("127.", 0) == 0;
    return (loopback ? "127.0.0.1:" : "0.0.0.0:") + port;
}

Result<Ok, CountyError> initCountyDir(const CountyDir& dir, const InitOptions& o) {
    std::error_code ec;
    if (fs::exists(dir.configFile(), ec) || fs::exists(dir.keysDir(), ec) ||
        fs::exists(dir.tlsDir(), ec))
        return countyError(dir.root().string() +
                           " already holds a county (county.toml, keys/ or tls/ exist). init never "
                           "overwrites keys; choose another folder.");
    if (o.formsSource.empty() || !fs::exists(o.formsSource / "complaint.toml", ec))
        return countyError(
            "default forms not found" +
            (o.formsSource.empty() ? std::string() : " in " + o.formsSource.string()) +
            "; pass --forms DIR (a folder with complaint.toml, survey.toml and "
            "lists.toml) or set MINSHENG_CONFIG_DIR.");
    for (const fs::path& p : {dir.root(), dir.keysDir(), dir.formsDir(), dir.kiosksDir()}) {
        fs::create_directories(p, ec);
        if (ec)
            return countyError("cannot create " + p.string() + ": " + ec.message() + ".");
    }
    fs::permissions(dir.keysDir(), fs::perms::owner_all, fs::perm_options::replace, ec);

    auto sealing = crypto::X25519KeyPair::generate();
    auto signing = crypto::Ed25519KeyPair::generate();
    auto tagKey = crypto::ReceiptTagKey::generate();
    const bool protect = o.passphrase != nullptr;
    for (auto r :
         {keyWrite(dir.sealingSecretKey(), KeyKind::CountySealingSecret,
                   sealing.secretKey.bytes().span(), o, protect),
          keyWrite(dir.sealingPublicKey(), KeyKind::CountySealingPublic, sealing.publicKey.bytes, o,
                   false),
          keyWrite(dir.signingSecretKey(), KeyKind::CountySigningSecret,
                   signing.secretKey.bytes().span(), o, protect),
          keyWrite(dir.signingPublicKey(), KeyKind::CountySigningPublic, signing.publicKey.bytes, o,
                   false),
          keyWrite(dir.receiptTagKey(), KeyKind::ReceiptTagKey, tagKey.bytes().span(), o, false)})
        if (!r)
            return r;
    // TLS material for the intake server and the staff token (county/office/county_tls.hpp).
    if (auto tls = county::createCountyTls(dir.tlsDir(), o.url, o.name, o.passphrase); !tls)
        return countyError(tls.error().message);
    if (auto token = county::createStaffToken(dir.staffTokenFile()); !token)
        return countyError(token.error().message);

    // Copies keep the source's mode (the shipped files are 0644): each is narrowed to 0600.
    const auto ownerOnly = fs::perms::owner_read | fs::perms::owner_write;
    for (const char* f : {"complaint.toml", "survey.toml", "lists.toml"}) {
        fs::copy_file(o.formsSource / f, dir.formsDir() / f, ec);
        if (!ec)
            fs::permissions(dir.formsDir() / f, ownerOnly, fs::perm_options::replace, ec);
        if (ec)
            return countyError("cannot copy " + (o.formsSource / f).string() + " to " +
                               dir.formsDir().string() + ": " + ec.message() + ".");
    }

    // The office calendar (holidays, 调休) is the county's own copy, edited when the State
    // Council publishes a year's arrangement; a county without one counts Monday to Friday.
    if (!o.calendarSource.empty()) {
        fs::copy_file(o.calendarSource, dir.calendarFile(), ec);
        if (!ec)
            fs::permissions(dir.calendarFile(), ownerOnly, fs::perm_options::replace, ec);
        if (ec)
            return countyError("cannot copy " + o.calendarSource.string() + " to " +
                               dir.calendarFile().string() + ": " + ec.message() + ".");
    }

    std::ostringstream t;
    t << "# Minsheng county office configuration, written by `minsheng-county init`.\n"
      << "# See docs/commands.md and docs/staff.md. Keys are in keys/, enrolled kiosks in "
         "kiosks/.\n\n"
      << "[county]\n"
      << "name = " << tomlBasicString(o.name) << "\n"
      << "# The address kiosks are provisioned with.\n"
      << "url = " << tomlBasicString(o.url) << "\n"
      << "# Where `minsheng-county serve` listens by default: the port of the url, on loopback\n"
      << "# when the url names this machine's loopback, else on every interface.\n"
      << "listen = " << tomlBasicString(defaultListenFor(o.url)) << "\n"
      << "# true only for a demonstration: kiosks may then show the example hotline, address and\n"
      << "# school list below. A real county replaces them; provision and config publish refuse\n"
      << "# them otherwise, and a kiosk refuses to start with them.\n"
      << "demo = " << (o.demo ? "true" : "false") << "\n\n"
      << "[keys]\n"
      << "# true: county-sealing.key and county-signing.key are encrypted with a passphrase.\n"
      << "passphrase_protected = " << (protect ? "true" : "false") << "\n\n"
      << "[kiosk_defaults]\n"
      << "# Shown on every kiosk provisioned from here.\n"
      << "hotline = " << tomlBasicString(o.hotline) << "\n"
      << "mailbox = " << tomlBasicString(o.mailbox) << "\n\n"
      << "[cases]\n"
      << "# Working days staff have to handle a complaint (weekends, holidays excluded).\n"
      << "complaint_due_working_days = 13\n"
      << "# category_due_working_days = { safety = 5 }\n"
      << "# Holidays and make-up working days (调休) are in calendar.toml; these add to it:\n"
      << "# holidays = [\"2026-10-01\"]   # and workdays = [...] for make-up days (调休)\n"
      << "# A case due within this many working days is marked yellow (red: overdue).\n"
      << "warn_within_working_days = 2\n"
      << "utc_offset_hours = 8\n\n"
      << "[report]\n"
      << "# Satisfaction figures with fewer respondents than this are not shown.\n"
      << "min_respondents = 5\n";
    if (auto w =
            crypto::writeFileAtomically(dir.configFile(), t.str(), 0600, crypto::Existing::Replace);
        !w)
        return countyError(w.error().message);
    return Ok{};
}

std::vector<fs::path> countyFoldersNear(const fs::path& folder) {
    std::vector<fs::path> found;
    std::error_code ec;
    auto consider = [&](const fs::path& p) {
        const fs::path normal = fs::weakly_canonical(p, ec);
        if (fs::is_regular_file(normal / "county.toml", ec) &&
            std::find(found.begin(), found.end(), normal) == found.end())
            found.push_back(normal);
    };
    auto children = [&](const fs::path& parent) {
        if (!fs::is_directory(parent, ec))
            return;
        std::size_t seen = 0;
        for (const auto& entry : fs::directory_iterator(parent, ec)) {
            if (++seen > 200) // a folder of thousands (a home directory) is not searched whole
                break;
            if (entry.is_directory(ec))
                consider(entry.path());
        }
    };
    const fs::path absolute = fs::absolute(folder, ec);
    children(absolute);               // a county inside the folder named
    consider(absolute.parent_path()); // the folder named is inside a county
    children(absolute.parent_path()); // its siblings
    consider(fs::current_path(ec));   // where the clerk is
    children(fs::current_path(ec));
    std::sort(found.begin(), found.end());
    return found;
}

Result<CountyConfig, CountyError> loadCountyConfig(const CountyDir& dir) {
    const std::string file = dir.configFile().string();
    std::error_code ec;
    if (!fs::exists(dir.configFile(), ec)) {
        // Never suggest init here: a clerk with a mistyped --dir would make a second county,
        // with new keys, next to the real one.
        std::string message = file + " not found: " + dir.root().string() +
                              " is not a county folder (one made by minsheng-county init holds "
                              "county.toml, keys/ and kiosks/).";
        const auto near = countyFoldersNear(dir.root());
        if (!near.empty()) {
            message += " County folders nearby:";
            for (const auto& p : near)
                message += " " + p.string();
            message += " — pass the right one with --dir.";
        } else {
            message += " Check the --dir path; the county's folder is where init was run once, "
                       "usually on the office machine (see docs/staff.md).";
        }
        return countyError(message);
    }
    toml::table t;
    try {
        t = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        return countyError(file + ":" + std::to_string(e.source().begin.line) + ": " +
                           std::string(e.description()));
    }
    CountyConfig c;
    static const std::map<std::string, std::vector<std::string>> known = {
        {"county", {"name", "url", "listen", "demo"}},
        {"keys", {"passphrase_protected"}},
        {"kiosk_defaults", {"hotline", "mailbox"}},
        // Read by the staff tool (county/staff/case_rules.hpp).
        {"cases",
         {"complaint_due_working_days", "category_due_working_days", "holidays", "workdays",
          "utc_offset_hours", "warn_within_working_days"}},
        {"report", {"min_respondents"}}};
    for (auto&& [section, node] : t) {
        const std::string s(section.str());
        auto k = known.find(s);
        if (k == known.end() || !node.is_table())
            return countyError(file + ":" + std::to_string(node.source().begin.line) +
                               ": unknown section [" + s + "].");
        for (auto&& [key, value] : *node.as_table()) {
            const std::string kk(key.str());
            if (std::find(k->second.begin(), k->second.end(), kk) == k->second.end())
                return countyError(file + ":" + std::to_string(value.source().begin.line) +
                                   ": unknown key \"" + kk + "\" in [" + s + "].");
        }
    }
    c.name = t["county"]["name"].value_or(std::string());
    c.url = t["county"]["url"].value_or(c.url);
    c.listen = t["county"]["listen"].value_or(c.listen);
    c.passphraseProtected = t["keys"]["passphrase_protected"].value_or(true);
    c.demo = t["county"]["demo"].value_or(false);
    c.hotline = t["kiosk_defaults"]["hotline"].value_or(std::string());
    c.mailbox = t["kiosk_defaults"]["mailbox"].value_or(std::string());
    if (c.url.rfind("https://", 0) != 0)
        return countyError(file +
                           ": [county] url must start with https:// (kiosks only talk TLS).");
    return c;
}

Result<CountyOpeningKeys, CountyError> loadOpeningKeys(const CountyDir& dir,
                                                       const crypto::PassphraseSource& passphrase) {
    auto sk = crypto::readX25519SecretKey(dir.sealingSecretKey(), passphrase);
    if (!sk)
        return countyError(sk.error().message);
    auto pk = crypto::readX25519PublicKey(dir.sealingPublicKey());
    if (!pk)
        return countyError(pk.error().message);
    if (sk->publicKey().bytes != pk->bytes)
        return countyError(dir.sealingSecretKey().string() + " and " +
                           dir.sealingPublicKey().string() +
                           " are not halves of one key pair; restore them from the county backup.");
    return CountyOpeningKeys{crypto::X25519KeyPair{*pk, std::move(*sk)}};
}

} // namespace minsheng::county
