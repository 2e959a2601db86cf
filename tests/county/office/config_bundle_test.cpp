// The county's kiosk configuration as published (county/office/config_bundle.hpp): checked with
// the kiosk's validator, example values refused with the file and key to change, versions that
// only grow, and a wrong --dir that points at the real county instead of suggesting a new one.
#include <catch2/catch.hpp>

#include "county/office/config_bundle.hpp"
#include "county/office/county_dir.hpp"
#include "county/office/provisioning.hpp"
#include "crypto/key_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <fstream>

using namespace minsheng;
using test::TempDir;
namespace fs = std::filesystem;

namespace {

struct PublishingCounty {
    TempDir tmp{"minsheng-config-bundle"};
    county::CountyDir dir{tmp / "county"};
    crypto::Ed25519SecretKey key;

    PublishingCounty() : key(crypto::Ed25519KeyPair::generate().secretKey) {
        county::InitOptions o;
        o.formsSource = test::sourceDir() / "config/forms";
        REQUIRE(county::initCountyDir(dir, o).ok());
        auto k = crypto::readEd25519SecretKey(dir.signingSecretKey(),
                                              crypto::KeyKind::CountySigningSecret, {});
        REQUIRE(k.ok());
        key = std::move(*k);
    }
    void replaceInFile(const fs::path& file, const std::string& from, const std::string& to) {
        std::string text = test::readFile(file);
        std::size_t at = 0;
        while ((at = text.find(from, at)) != std::string::npos) {
            text.replace(at, from.size(), to);
            at += to.size();
        }
        test::writeFile(file, text);
    }
    /// A county that replaced every shipped example value.
    void makeReal() {
        replaceInFile(dir.configFile(), "0000-12345678", "0571-87001234");
        replaceInFile(dir.configFile(), "示范县", "临安区");
        replaceInFile(dir.configFile(), "示范路", "城中街");
        replaceInFile(dir.formsDir() / "lists.toml", "云溪县", "临安区");
    }
    std::string refusal() {
        auto c = county::loadCountyConfig(dir);
        REQUIRE(c.ok());
        auto r = county::checkKioskConfiguration(dir, *c);
        REQUIRE_FALSE(r.ok());
        return r.error().message;
    }
};

} // namespace

TEST_CASE("example values are refused with the file and key to change", "[county][config]") {
    PublishingCounty c;
    const std::string hotline = c.refusal();
    CHECK_THAT(hotline, Catch::Contains(c.dir.configFile().string()));
    CHECK_THAT(hotline, Catch::Contains("[kiosk_defaults] hotline"));
    CHECK_THAT(hotline, Catch::Contains("0000-12345678"));

    c.replaceInFile(c.dir.configFile(), "0000-12345678", "0571-87001234");
    const std::string mailbox = c.refusal();
    CHECK_THAT(mailbox, Catch::Contains("[kiosk_defaults] mailbox"));

    c.replaceInFile(c.dir.configFile(), "示范县", "临安区");
    c.replaceInFile(c.dir.configFile(), "示范路", "城中街");
    const std::string schools = c.refusal();
    CHECK_THAT(schools, Catch::Contains((c.dir.formsDir() / "lists.toml").string() + ":"));
    CHECK_THAT(schools, Catch::Contains("云溪县"));

    // Publishing refuses too, and writes nothing.
    auto p = county::publishConfigBundle(c.dir, {}, c.key);
    CHECK_FALSE(p.ok());
    CHECK_FALSE(fs::exists(county::publishedDir(c.dir)));

    // A demonstration county may keep them.
    c.replaceInFile(c.dir.configFile(), "demo = false", "demo = true");
    auto demo = county::publishConfigBundle(c.dir, {}, c.key);
    INFO((demo ? std::string() : demo.error().message));
    CHECK(demo.ok());
}

TEST_CASE("publish signs the next version with the county files", "[county][config]") {
    PublishingCounty c;
    c.makeReal();
    auto first = county::publishConfigBundle(c.dir, {}, c.key);
    INFO((first ? std::string() : first.error().message));
    REQUIRE(first.ok());
    CHECK(first->configVersion == 1);
    CHECK(first->targets.empty());
    REQUIRE(first->file("contact.toml"));
    CHECK_THAT(first->file("contact.toml")->text, Catch::Contains("0571-87001234"));
    REQUIRE(first->file("lists.toml"));
    CHECK(crypto::verifyConfigBundle(*first, c.key.publicKey()).ok());
    CHECK(fs::exists(county::publishedDir(c.dir) / "1.json"));

    auto second = county::publishConfigBundle(c.dir, {}, c.key);
    REQUIRE(second.ok());
    CHECK(second->configVersion == 2);
    CHECK(*county::lastPublishedVersion(c.dir) == 2);

    county::PublishRequest unknownKiosk;
    unknownKiosk.targets = {"nobody"};
    auto refused = county::publishConfigBundle(c.dir, unknownKiosk, c.key);
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.error().message, Catch::Contains("not enrolled"));
}

TEST_CASE("a form that fails validation is refused before signing", "[county][config]") {
    PublishingCounty c;
    c.makeReal();
    c.replaceInFile(c.dir.formsDir() / "survey.toml", "kind = \"survey\"", "kind = \"poll\"");
    auto c2 = county::loadCountyConfig(c.dir);
    REQUIRE(c2.ok());
    auto r = county::checkKioskConfiguration(c.dir, *c2);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("survey.toml"));
}

TEST_CASE("a wrong --dir names the county folders nearby and never suggests init",
          "[county][config]") {
    PublishingCounty c;
    for (const fs::path& wrong : {c.tmp / "county-typo", c.tmp.path(), c.dir.root() / "forms"}) {
        auto r = county::loadCountyConfig(county::CountyDir(wrong));
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        CHECK_THAT(r.error().message, Catch::Contains(fs::weakly_canonical(c.dir.root()).string()));
        CHECK_THAT(r.error().message, !Catch::Contains("init --dir"));
    }
}
