// The kiosk configuration: the shipped example, path resolution, and one failing case per rule.
#include "kiosk/core/kiosk_config.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace minsheng::kiosk;
using namespace minsheng::forms::test;
using minsheng::test::readFile;
using minsheng::test::TempDir;
using minsheng::test::writeFile;

namespace fs = std::filesystem;

namespace {

std::string exampleText() {
    return readFile(configDir() / "kiosk.example.toml");
}

std::string replaced(std::string_view base, std::string_view from, std::string_view to) {
    std::string s(base);
    const auto pos = s.find(from);
    REQUIRE(pos != std::string::npos);
    s.replace(pos, from.size(), to);
    return s;
}

ConfigError configError(const std::string& text) {
    auto c = parseKioskConfig(text, "/etc/minsheng/kiosk.toml");
    REQUIRE_FALSE(c.ok());
    INFO(c.error().toString());
    CHECK(c.error().file == "/etc/minsheng/kiosk.toml");
    return c.error();
}

} // namespace

TEST_CASE("the example configuration loads with absolute paths", "[config]") {
    auto c = loadKioskConfig(configDir() / "kiosk.example.toml");
    INFO((c ? std::string() : c.error().toString()));
    REQUIRE(c.ok());
    const fs::path dir = fs::absolute(configDir()).lexically_normal();
    CHECK(c->id == "demo-001");
    CHECK(c->name == "阳光社区 1 号机");
    CHECK(c->locale == "zh-CN");
    CHECK(c->idleTimeoutSeconds == 90);
    CHECK(c->surveyMinIntervalSeconds == 30);
    CHECK_FALSE(c->automation);
    CHECK(c->hotline == "0571-12345");
    CHECK(c->dataDir == dir / "data");
    CHECK(c->complaintForm == dir / "forms" / "complaint.toml");
    CHECK(c->surveyForm == dir / "forms" / "survey.toml");
    CHECK(c->lists == dir / "forms" / "lists.toml");
    CHECK(c->countyUrl == "https://127.0.0.1:8443");
    CHECK(c->countySealingPublicKey == dir / "keys" / "county-sealing.pub");
    CHECK(c->countySigningPublicKey == dir / "keys" / "county-signing.pub");
    CHECK(c->receiptTagKey == dir / "keys" / "receipt-tag.key");
    CHECK(c->countyCa == dir / "keys" / "county-ca.pem");
    CHECK(c->signingSecretKey == dir / "keys" / "kiosk-signing.key");
    CHECK(c->keySource == KeySource::File);
    CHECK(c->keyFile == dir / "data" / "outbox.key"); // relative to data_dir
    CHECK(c->credential == "minsheng-outbox-key");
    CHECK(c->retentionDays == 30);
    CHECK(c->file.is_absolute());
}

TEST_CASE("the example configuration's forms load as a set", "[config][forms]") {
    auto c = loadKioskConfig(configDir() / "kiosk.example.toml");
    REQUIRE(c.ok());
    auto forms = loadFormSet(*c);
    INFO((forms ? std::string() : forms.error().toString()));
    REQUIRE(forms.ok());
    CHECK(forms->complaint.id == "complaint");
    CHECK(forms->survey.id == "survey");
    CHECK(forms->lists.find("schools"));
}

TEST_CASE("loadFormSet notices swapped forms", "[config][forms]") {
    auto c = loadKioskConfig(configDir() / "kiosk.example.toml");
    REQUIRE(c.ok());
    std::swap(c->complaintForm, c->surveyForm);
    auto forms = loadFormSet(*c);
    REQUIRE_FALSE(forms.ok());
    CHECK(forms.error().message.find("complaint") != std::string::npos);
}

TEST_CASE("relative and absolute paths in a configuration elsewhere", "[config]") {
    TempDir dir;
    const std::string text =
        replaced(replaced(exampleText(), "data_dir = \"data\"", "data_dir = \"/var/lib/ms\""),
                 "key_file = \"outbox.key\"", "key_file = \"sub/../k.key\"");
    writeFile(dir / "kiosk.toml", text);
    auto c = loadKioskConfig(dir / "kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->dataDir == "/var/lib/ms");
    CHECK(c->keyFile == "/var/lib/ms/k.key");
    CHECK(c->complaintForm == (dir.path() / "forms" / "complaint.toml").lexically_normal());
}

TEST_CASE("optional keys take their defaults", "[config]") {
    std::string text = exampleText();
    for (const char* line :
         {"idle_timeout_seconds = 90\n", "survey_min_interval_seconds = 30\n",
          "automation = false\n", "retention_days = 30\n", "utc_offset_hours = 8\n"})
        text = replaced(text, line, "");
    auto c = parseKioskConfig(text, "/etc/minsheng/kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->idleTimeoutSeconds == 90);
    CHECK(c->surveyMinIntervalSeconds == 30);
    CHECK_FALSE(c->automation);
    CHECK(c->retentionDays == 30);
    CHECK(c->utcOffsetHours == 8);
}

TEST_CASE("credential key source", "[config]") {
    const std::string text =
        replaced(replaced(exampleText(), "key_source = \"file\"", "key_source = \"credential\""),
                 "key_file = \"outbox.key\"\n", "");
    auto c = parseKioskConfig(text, "/etc/minsheng/kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->keySource == KeySource::Credential);
    CHECK(c->credential == "minsheng-outbox-key");
}

TEST_CASE("each configuration rule rejects a broken file at the right line", "[config]") {
    const std::string base = exampleText();
    auto at = [](const std::string& text, std::string_view marker) {
        const ConfigError e = configError(text);
        CHECK(e.line == lineOf(text, marker));
        return e;
    };
    SECTION("syntax error") {
        at(replaced(base, "locale = \"zh-CN\"", "locale = \"zh-CN"), "locale = \"zh-CN");
    }
    SECTION("unknown section") {
        const auto text = base + "\n[extra]\nx = 1\n";
        at(text, "[extra]");
    }
    SECTION("unknown key (typo)") {
        at(replaced(base, "idle_timeout_seconds", "idle_timeout_secs"), "idle_timeout_secs");
    }
    SECTION("unknown key in [store]") {
        at(replaced(base, "retention_days", "retention"), "retention =");
    }
    SECTION("bad kiosk id") {
        at(replaced(base, "id = \"demo-001\"", "id = \"Demo_001\""), "Demo_001");
    }
    SECTION("bad locale") {
        at(replaced(base, "locale = \"zh-CN\"", "locale = \"zh-TW\""), "zh-TW");
    }
    SECTION("idle timeout too short") {
        at(replaced(base, "idle_timeout_seconds = 90", "idle_timeout_seconds = 5"),
           "idle_timeout_seconds = 5");
    }
    SECTION("idle timeout of the wrong type") {
        at(replaced(base, "idle_timeout_seconds = 90", "idle_timeout_seconds = \"90\""),
           "idle_timeout_seconds = \"90\"");
    }
    SECTION("automation not a boolean") {
        at(replaced(base, "automation = false", "automation = \"false\""), "automation = \"");
    }
    SECTION("plain http county url") {
        at(replaced(base, "https://127.0.0.1:8443", "http://127.0.0.1:8443"), "http://");
    }
    SECTION("empty path") {
        at(replaced(base, "survey = \"forms/survey.toml\"", "survey = \"\""), "survey = \"\"");
    }
    SECTION("unknown key source") {
        at(replaced(base, "key_source = \"file\"", "key_source = \"tpm\""), "\"tpm\"");
    }
    SECTION("utc offset out of range") {
        at(replaced(base, "utc_offset_hours = 8", "utc_offset_hours = 15"),
           "utc_offset_hours = 15");
    }
    SECTION("retention out of range") {
        at(replaced(base, "retention_days = 30", "retention_days = 0"), "retention_days = 0");
    }
    SECTION("name with a line break") {
        at(replaced(base, "name = \"阳光社区 1 号机\"", "name = \"阳光社区\\n1 号机\""), "name = ");
    }
    SECTION("missing name points at its section") {
        const auto text = replaced(base, "name = \"阳光社区 1 号机\"\n", "");
        const auto e = configError(text);
        CHECK(e.line == lineOf(text, "\n[kiosk]\n") + 1); // "[kiosk]" also occurs in comments
        CHECK(e.message.find("\"name\"") != std::string::npos);
    }
    SECTION("missing section") {
        const auto text = replaced(base, "[identity]", "[identity_]");
        at(text, "[identity_]");
    }
    SECTION("county CA missing points at [county]") {
        const auto text = replaced(base, "ca = \"keys/county-ca.pem\"\n", "");
        const auto e = configError(text);
        CHECK(e.line == lineOf(text, "\n[county]\n") + 1);
        CHECK(e.message.find("\"ca\"") != std::string::npos);
    }
    SECTION("key file missing with key_source = file") {
        const auto text = replaced(base, "key_file = \"outbox.key\"\n", "");
        CHECK(configError(text).line == lineOf(text, "\n[store]\n") + 1);
    }
    SECTION("credential with a slash") {
        at(replaced(base, "credential = \"minsheng-outbox-key\"", "credential = \"a/b\""),
           "credential = \"a/b\"");
    }
}

TEST_CASE("a missing configuration file is an error, not an exception", "[config]") {
    auto c = loadKioskConfig("/nonexistent/kiosk.toml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().line == 0);
}

TEST_CASE("[sync] is optional, has defaults and checks its ranges", "[config][sync]") {
    const std::string base = exampleText();
    auto c = parseKioskConfig(base, "/etc/minsheng/kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->syncUploadDelayMinutes == 20);
    CHECK(c->syncHeartbeatMinutes == 15);

    const auto without = base.substr(0, base.find("\n[sync]\n") + 1);
    c = parseKioskConfig(without, "/etc/minsheng/kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->syncUploadDelayMinutes == 20); // on by default: community kiosks
    CHECK(c->syncHeartbeatMinutes == 15);

    c = parseKioskConfig(replaced(base, "upload_delay_minutes = 20", "upload_delay_minutes = 0"),
                         "/etc/minsheng/kiosk.toml");
    REQUIRE(c.ok());
    CHECK(c->syncUploadDelayMinutes == 0);

    for (const char* bad : {"upload_delay_minutes = -1", "upload_delay_minutes = 1441",
                            "upload_delay_minutes = \"20\"", "upload_delay = 20"}) {
        INFO(bad);
        const std::string text = replaced(base, "upload_delay_minutes = 20", bad);
        CHECK(configError(text).line == lineOf(text, bad));
    }
    for (const char* bad : {"heartbeat_minutes = 0", "heartbeat_minutes = 16"}) {
        INFO(bad);
        const std::string text = replaced(base, "heartbeat_minutes = 15", bad);
        CHECK(configError(text).line == lineOf(text, bad));
    }
}
