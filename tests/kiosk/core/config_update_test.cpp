// Configuration updates on the kiosk (kiosk/core/config_update.hpp): a signed bundle is checked,
// unpacked, loaded and recorded; bad bundles are refused with the reason kept for the heartbeat,
// and the kiosk keeps (or at start-up falls back to) the version it ran before.
#include "kiosk/core/config_update.hpp"
#include "kiosk/core/shipped_examples.hpp"
#include "sync/wire/protocol_messages.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace minsheng;
using namespace minsheng::kiosk;
using minsheng::forms::test::configDir;
using minsheng::test::readFile;
using minsheng::test::TempDir;
using minsheng::test::writeFile;

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1795428000;

struct UpdateSite {
    TempDir tmp{"minsheng-config-update"};
    KioskConfig base;
    crypto::Ed25519KeyPair county = crypto::Ed25519KeyPair::generate();

    UpdateSite() {
        auto c = loadKioskConfig(configDir() / "kiosk.example.toml");
        REQUIRE(c.ok());
        base = *c;
        base.dataDir = tmp / "data";
        fs::create_directories(base.dataDir);
    }

    static std::string listsWithSchool(const std::string& label) {
        std::string lists = readFile(configDir() / "forms" / "lists.toml");
        const auto at = lists.find("[[lists.schools.items]]");
        REQUIRE(at != std::string::npos);
        lists.insert(at, "[[lists.schools.items]]\nid = \"xinqiao_xiaoxue\"\nlabel = { zh-CN = \"" +
                             label +
                             "\", en = \"Xinqiao Primary School\" }\nparent = \"chengguan\"\n\n");
        return lists;
    }

    crypto::ConfigBundle bundle(std::uint64_t version, const std::string& hotline,
                                std::vector<std::string> targets = {},
                                const crypto::Ed25519SecretKey* key = nullptr) const {
        crypto::ConfigBundle b;
        b.configVersion = version;
        b.targets = std::move(targets);
        b.notBefore = kNow - 60;
        b.files = {
            {"contact.toml", "[contact]\nhotline = \"" + hotline + "\"\nmailbox = \"新信箱\"\n"},
            {"lists.toml", listsWithSchool("新桥小学")}};
        return crypto::signConfigBundle(b, key ? *key : county.secretKey);
    }

    TakenUpdate take(const crypto::ConfigBundle& b, std::uint64_t running) {
        REQUIRE(dropIncomingBundle(base.dataDir, b).ok());
        return takeIncomingBundle(base, running, county.publicKey, kNow, {});
    }
};

} // namespace

TEST_CASE("a bundle for this kiosk is applied: new hotline, new school, version recorded",
          "[config-update]") {
    UpdateSite s;
    auto taken = s.take(s.bundle(1, "0571-1111"), 0);
    INFO(taken.refused.value_or(""));
    REQUIRE(taken.applied);
    CHECK(taken.applied->version == 1);
    CHECK(taken.applied->config.hotline == "0571-1111");
    CHECK(taken.applied->config.mailbox == "新信箱");
    const auto* schools = taken.applied->forms.lists.find("schools");
    REQUIRE(schools);
    bool found = false;
    for (const auto& item : schools->items)
        found = found || item.id == "xinqiao_xiaoxue";
    CHECK(found);
    const ConfigState state = readConfigState(s.base.dataDir);
    CHECK(state.running == 1);
    CHECK(state.failure.empty());
    CHECK_FALSE(fs::exists(incomingBundleFile(s.base.dataDir)));
    // A restart runs the same version.
    auto again = loadStartupConfiguration(s.base, {});
    REQUIRE(again.ok());
    CHECK(again->version == 1);
    CHECK(again->config.hotline == "0571-1111");
}

TEST_CASE("refused bundles: another county, an older version, another kiosk", "[config-update]") {
    UpdateSite s;
    REQUIRE(s.take(s.bundle(2, "0571-2222"), 0).applied);

    SECTION("signed by another county") {
        const auto other = crypto::Ed25519KeyPair::generate();
        auto taken = s.take(s.bundle(3, "0571-3333", {}, &other.secretKey), 2);
        CHECK_FALSE(taken.applied);
        REQUIRE(taken.refused);
        CHECK_THAT(*taken.refused, Catch::Contains("another key"));
    }
    SECTION("an older version than the one running") {
        auto taken = s.take(s.bundle(1, "0571-1111"), 2);
        CHECK_FALSE(taken.applied);
        REQUIRE(taken.refused);
        CHECK_THAT(*taken.refused, Catch::Contains("not newer"));
    }
    SECTION("for another kiosk") {
        auto taken = s.take(s.bundle(3, "0571-3333", {"other-kiosk"}), 2);
        CHECK_FALSE(taken.applied);
        REQUIRE(taken.refused);
        CHECK_THAT(*taken.refused, Catch::Contains("not meant for kiosk demo-001"));
    }
    SECTION("tampered after signing") {
        auto b = s.bundle(3, "0571-3333");
        b.files[0].text = "[contact]\nhotline = \"0000-0000\"\n";
        auto taken = s.take(b, 2);
        CHECK_FALSE(taken.applied);
        REQUIRE(taken.refused);
    }
    const ConfigState state = readConfigState(s.base.dataDir);
    CHECK(state.running == 2);
    CHECK_FALSE(state.failure.empty());
    auto running = loadStartupConfiguration(s.base, {});
    REQUIRE(running.ok());
    CHECK(running->config.hotline == "0571-2222");
}

TEST_CASE("a bundle whose form fails validation is refused and the previous version keeps running",
          "[config-update]") {
    UpdateSite s;
    REQUIRE(s.take(s.bundle(1, "0571-1111"), 0).applied);
    crypto::ConfigBundle b;
    b.configVersion = 2;
    b.notBefore = kNow - 60;
    b.files = {{"complaint.toml", "[form]\nid = \"complaint\"\nkind = \"complaint\"\n"}};
    b = crypto::signConfigBundle(b, s.county.secretKey);
    auto taken = s.take(b, 1);
    CHECK_FALSE(taken.applied);
    REQUIRE(taken.refused);
    CHECK_THAT(*taken.refused, Catch::Contains("configuration version 2 does not load"));
    const ConfigState state = readConfigState(s.base.dataDir);
    CHECK(state.running == 1);
    CHECK(state.failed == 2);
    CHECK_THAT(state.failure, Catch::Contains("complaint.toml"));
    CHECK_FALSE(fs::exists(configUpdateDir(s.base.dataDir) / "2"));
    auto running = loadStartupConfiguration(s.base, {});
    REQUIRE(running.ok());
    CHECK(running->version == 1);
}

TEST_CASE("the window's own check refuses a configuration too", "[config-update]") {
    UpdateSite s;
    REQUIRE(dropIncomingBundle(s.base.dataDir, s.bundle(1, "0571-1111")).ok());
    auto taken = takeIncomingBundle(
        s.base, 0, s.county.publicKey, kNow,
        [](const RunningConfiguration&) -> std::optional<std::string> { return "no glyph"; });
    CHECK_FALSE(taken.applied);
    REQUIRE(taken.refused);
    CHECK(readConfigState(s.base.dataDir).running == 0);
}

TEST_CASE("a bundle not yet due waits in the data folder", "[config-update]") {
    UpdateSite s;
    auto b = s.bundle(1, "0571-1111");
    b.notBefore = kNow + 3600;
    b = crypto::signConfigBundle(b, s.county.secretKey);
    REQUIRE(dropIncomingBundle(s.base.dataDir, b).ok());
    auto taken = takeIncomingBundle(s.base, 0, s.county.publicKey, kNow, {});
    CHECK_FALSE(taken.applied);
    CHECK_FALSE(taken.refused);
    CHECK(fs::exists(incomingBundleFile(s.base.dataDir)));
    auto later = takeIncomingBundle(s.base, 0, s.county.publicKey, kNow + 3600, {});
    CHECK(later.applied);
}

TEST_CASE("start-up falls back to the previous version when the running one does not load",
          "[config-update]") {
    UpdateSite s;
    REQUIRE(s.take(s.bundle(1, "0571-1111"), 0).applied);
    REQUIRE(s.take(s.bundle(2, "0571-2222"), 1).applied);
    writeFile(configUpdateDir(s.base.dataDir) / "2" / "lists.toml", "not toml [");
    auto running = loadStartupConfiguration(s.base, {});
    REQUIRE(running.ok());
    CHECK(running->version == 1);
    CHECK(running->config.hotline == "0571-1111");
    const ConfigState state = readConfigState(s.base.dataDir);
    CHECK(state.running == 1);
    CHECK(state.failed == 2);
    CHECK_FALSE(state.failure.empty());
}

TEST_CASE("the forwarder's drop never replaces a newer bundle", "[config-update]") {
    UpdateSite s;
    REQUIRE(dropIncomingBundle(s.base.dataDir, s.bundle(3, "0571-3333")).ok());
    REQUIRE(dropIncomingBundle(s.base.dataDir, s.bundle(2, "0571-2222")).ok());
    auto held = sync::configBundleFromText(readFile(incomingBundleFile(s.base.dataDir)));
    REQUIRE(held.ok());
    CHECK(held->configVersion == 3);
}

TEST_CASE("a real kiosk refuses the shipped example values, naming the file and key",
          "[config-update][examples]") {
    UpdateSite s;
    s.base.demo = false;
    // kiosk.example.toml's own mailbox is an example (云溪县).
    auto own = loadConfiguration(s.base, 0, {});
    REQUIRE_FALSE(own.ok());
    CHECK_THAT(own.error(), Catch::Contains(s.base.file.string() + ": [contact] mailbox") &&
                                Catch::Contains("云溪县") && Catch::Contains("demo = true"));
    // With a real hotline and mailbox, the example school list is next, with its line.
    s.base.mailbox = "临安区教育局“双减”办公室";
    auto lists = loadConfiguration(s.base, 0, {});
    REQUIRE_FALSE(lists.ok());
    CHECK_THAT(lists.error(),
               Catch::Contains(s.base.lists.string() + ":") && Catch::Contains("云溪县"));
    s.base.hotline = "0000-12345678";
    auto hotline = loadConfiguration(s.base, 0, {});
    REQUIRE_FALSE(hotline.ok());
    CHECK_THAT(hotline.error(), Catch::Contains("[contact] hotline"));

    // A bundle that brings an example value is refused; the kiosk keeps what it runs.
    s.base.hotline = "0571-87001234";
    REQUIRE(findShippedExample(s.base, s.base.file).has_value()); // the lists, still
    crypto::ConfigBundle b;
    b.configVersion = 1;
    b.notBefore = kNow - 60;
    b.files = {{"contact.toml", "[contact]\nhotline = \"0000-12345678\"\n"}};
    b = crypto::signConfigBundle(b, s.county.secretKey);
    REQUIRE(dropIncomingBundle(s.base.dataDir, b).ok());
    auto taken = takeIncomingBundle(s.base, 0, s.county.publicKey, kNow, {});
    CHECK_FALSE(taken.applied);
    REQUIRE(taken.refused);
    CHECK_THAT(*taken.refused, Catch::Contains("contact.toml: [contact] hotline"));

    // A demonstration kiosk may show them.
    s.base.demo = true;
    CHECK_FALSE(findShippedExample(s.base, s.base.file).has_value());
    CHECK(loadConfiguration(s.base, 0, {}).ok());
}
