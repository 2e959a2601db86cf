#include <catch2/catch.hpp>

#include "county/office/county_dir.hpp"
#include "county/office/kiosk_registry.hpp"
#include "county/office/provisioning.hpp"
#include "crypto/key_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <sys/stat.h>

using namespace minsheng;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

county::InitOptions demoOptions() {
    county::InitOptions o;
    o.formsSource = test::sourceDir() / "config/forms";
    o.demo = true; // kiosks provisioned with the shipped example lists
    return o;
}

mode_t modeOf(const fs::path& p) {
    struct stat st {};
    REQUIRE(stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("init creates keys, forms and configuration, and never overwrites", "[county][init]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    REQUIRE(county::initCountyDir(dir, demoOptions()).ok());
    for (const auto& p : {dir.sealingSecretKey(), dir.signingSecretKey(), dir.receiptTagKey()})
        REQUIRE(modeOf(p) == 0600);
    REQUIRE(fs::exists(dir.formsDir() / "complaint.toml"));
    auto config = county::loadCountyConfig(dir);
    REQUIRE(config.ok());
    REQUIRE(config->url == "https://127.0.0.1:8443");
    REQUIRE_FALSE(config->passphraseProtected);
    REQUIRE(county::loadOpeningKeys(dir, {}).ok());

    const std::string before = test::readFile(dir.sealingSecretKey());
    auto again = county::initCountyDir(dir, demoOptions());
    REQUIRE_FALSE(again.ok());
    REQUIRE_THAT(again.error().message, Catch::Contains("already holds a county"));
    REQUIRE(test::readFile(dir.sealingSecretKey()) == before);
}

TEST_CASE("init makes serve listen on the port of the county url", "[county][init]") {
    CHECK(county::defaultListenFor("https://127.0.0.1:8443") == "127.0.0.1:8443");
    CHECK(county::defaultListenFor("https://127.0.0.1:18443/") == "127.0.0.1:18443");
    CHECK(county::defaultListenFor("https://localhost:9000") == "127.0.0.1:9000");
    CHECK(county::defaultListenFor("https://[::1]:9443") == "[::1]:9443");
    CHECK(county::defaultListenFor("https://intake.example.gov.cn") == "0.0.0.0:443");
    CHECK(county::defaultListenFor("https://10.2.3.4:8443/x") == "0.0.0.0:8443");
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    auto o = demoOptions();
    o.url = "https://127.0.0.1:18443";
    REQUIRE(county::initCountyDir(dir, o).ok());
    auto config = county::loadCountyConfig(dir);
    REQUIRE(config.ok());
    CHECK(config->listen == "127.0.0.1:18443");
}

TEST_CASE("init with a passphrase protects the county's secret keys", "[county][init]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    auto o = demoOptions();
    auto pass = crypto::SecretBytes::copyOf(std::string_view("correct horse"));
    o.passphrase = &pass;
    o.protection = {1, 8u << 20};
    REQUIRE(county::initCountyDir(dir, o).ok());
    REQUIRE(county::loadCountyConfig(dir)->passphraseProtected);
    auto none = county::loadOpeningKeys(dir, {});
    REQUIRE_FALSE(none.ok());
    REQUIRE_THAT(none.error().message, Catch::Contains("passphrase"));
    auto wrong = county::loadOpeningKeys(dir, [](const fs::path&) {
        return std::optional(crypto::SecretBytes::copyOf(std::string_view("wrong horse")));
    });
    REQUIRE_THAT(wrong.error().message, Catch::Contains("wrong passphrase"));
    auto right = county::loadOpeningKeys(dir, [](const fs::path&) {
        return std::optional(crypto::SecretBytes::copyOf(std::string_view("correct horse")));
    });
    REQUIRE(right.ok());
    // The receipt tag key is shared with kiosks and stays unprotected.
    REQUIRE(crypto::readReceiptTagKey(dir.receiptTagKey()).ok());
}

TEST_CASE("init without forms says where to find them", "[county][init]") {
    TempDir tmp;
    county::InitOptions o;
    o.formsSource = tmp / "nowhere";
    auto r = county::initCountyDir(county::CountyDir(tmp / "c"), o);
    REQUIRE_FALSE(r.ok());
    REQUIRE_THAT(r.error().message, Catch::Contains("--forms"));
}

TEST_CASE("a damaged county.toml is reported with its line", "[county][config]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    REQUIRE(county::initCountyDir(dir, demoOptions()).ok());
    test::writeFile(dir.configFile(), "[county]\nname = \"x\"\nurl = \"http://insecure\"\n");
    REQUIRE_THAT(county::loadCountyConfig(dir).error().message, Catch::Contains("https://"));
    test::writeFile(dir.configFile(), "[county]\nname = \"x\"\ncolour = \"red\"\n");
    REQUIRE_THAT(county::loadCountyConfig(dir).error().message, Catch::Contains("county.toml:3"));
    test::writeFile(dir.configFile(), "[county\n");
    REQUIRE_THAT(county::loadCountyConfig(dir).error().message, Catch::Contains("county.toml:1"));
    REQUIRE_THAT(county::loadCountyConfig(county::CountyDir(tmp / "absent")).error().message,
                 Catch::Contains("minsheng-county init"));
}

TEST_CASE("provision writes a complete bundle and enrols the kiosk once", "[county][provision]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    REQUIRE(county::initCountyDir(dir, demoOptions()).ok());
    county::ProvisionRequest req{"sunshine-01", "阳光社区 1 号机", "服务中心一楼", tmp / "bundle"};
    REQUIRE(county::provisionKiosk(dir, req).ok());

    for (const char* f : {"kiosk.toml", "keys/kiosk-signing.key", "keys/county-sealing.pub",
                          "keys/county-signing.pub", "keys/receipt-tag.key", "forms/complaint.toml",
                          "forms/survey.toml", "forms/lists.toml"})
        REQUIRE(fs::exists(req.bundleDir / f));
    REQUIRE(fs::is_directory(req.bundleDir / "data"));
    REQUIRE(modeOf(req.bundleDir / "keys/kiosk-signing.key") == 0600);

    auto reg = county::KioskRegistry::load(dir);
    REQUIRE(reg.ok());
    const county::EnrolledKiosk* k = reg->find("sunshine-01");
    REQUIRE(k);
    REQUIRE(k->name == "阳光社区 1 号机");
    auto sk = crypto::readEd25519SecretKey(req.bundleDir / "keys/kiosk-signing.key",
                                           crypto::KeyKind::KioskSigningSecret);
    REQUIRE(sk->publicKey().bytes == k->publicKey.bytes);

    auto dup = county::provisionKiosk(dir, {"sunshine-01", "again", "", tmp / "bundle2"});
    REQUIRE_THAT(dup.error().message, Catch::Contains("already enrolled"));
    auto bad = county::provisionKiosk(dir, {"Sunshine 01", "x", "", tmp / "bundle3"});
    REQUIRE_THAT(bad.error().message, Catch::Contains("not valid"));
    auto notEmpty = county::provisionKiosk(dir, {"sunshine-02", "x", "", req.bundleDir});
    REQUIRE_THAT(notEmpty.error().message, Catch::Contains("not empty"));
    REQUIRE_FALSE(county::KioskRegistry::load(dir)->find("sunshine-02"));
}

TEST_CASE("provision refuses the example values unless the county is a demonstration",
          "[county][provision]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    auto o = demoOptions();
    o.demo = false;
    REQUIRE(county::initCountyDir(dir, o).ok());
    auto refused = county::provisionKiosk(dir, {"real-01", "一号机", "", tmp / "bundle"});
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains(dir.configFile().string()) &&
                                            Catch::Contains("[kiosk_defaults] hotline") &&
                                            Catch::Contains("Nothing was enrolled"));
    CHECK_FALSE(county::KioskRegistry::load(dir)->find("real-01"));
    CHECK_FALSE(fs::exists(tmp / "bundle" / "kiosk.toml"));

    // The same county as a demonstration: the kiosk it provisions is marked as one.
    TempDir tmp2;
    county::CountyDir demo(tmp2 / "county");
    REQUIRE(county::initCountyDir(demo, demoOptions()).ok());
    REQUIRE(county::provisionKiosk(demo, {"demo-01", "一号机", "", tmp2 / "bundle"}).ok());
    auto kiosk = test::readFile(tmp2 / "bundle" / "kiosk.toml");
    CHECK_THAT(kiosk, Catch::Contains("\ndemo = true\n"));
    CHECK_THAT(test::readFile(demo.configFile()), Catch::Contains("\ndemo = true\n"));
}

TEST_CASE("a registry file renamed to another kiosk id is refused", "[county][registry]") {
    TempDir tmp;
    county::CountyDir dir(tmp / "county");
    REQUIRE(county::initCountyDir(dir, demoOptions()).ok());
    REQUIRE(county::provisionKiosk(dir, {"k-1", "one", "", tmp / "b1"}).ok());
    fs::rename(dir.kiosksDir() / "k-1.pub", dir.kiosksDir() / "k-2.pub");
    auto reg = county::KioskRegistry::load(dir);
    REQUIRE_FALSE(reg.ok());
    REQUIRE_THAT(reg.error().message, Catch::Contains("disagree"));
}
