#include <catch2/catch.hpp>

#include "crypto/receipt_code.hpp"
#include "tests/support/county_site.hpp"

#include <nlohmann/json.hpp>
#include <sys/stat.h>

using namespace minsheng;
using nlohmann::json;
using test::runProcess;
namespace fs = std::filesystem;

namespace {

struct Site : test::CountySite {
    Site() : CountySite("minsheng-cli", "cli-001", "测试机") {}

    json outboxStats() {
        auto r = kiosk({"outbox", "--config", config.string(), "--json"});
        INFO(r.err);
        REQUIRE(r.exitCode == 0);
        return json::parse(r.out);
    }
};

std::vector<json> jsonLines(const std::string& text) {
    std::vector<json> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos)
            nl = text.size();
        if (nl > start)
            out.push_back(json::parse(text.substr(start, nl - start)));
        start = nl + 1;
    }
    return out;
}

} // namespace

TEST_CASE("submit, export and open round-trip a complaint and a survey with text intact",
          "[cli][e2e]") {
    Site s;
    json complaint = s.example("complaint");
    // Free text with quotes, a backslash, a newline-free Chinese sentence and an emoji.
    complaint["description"] = "周六在 3 号楼 \"一对一\" 补课，老师收费 200 元/次 \\ 🙏";
    auto r = s.submit("complaint", complaint);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const json receipt = json::parse(r.out);
    REQUIRE(receipt["sequence"] == 1);
    REQUIRE(crypto::ReceiptCode::parse(receipt["receipt_code"].get<std::string>()).ok());

    json survey = s.example("survey");
    r = s.submit("survey", survey);
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    REQUIRE_FALSE(json::parse(r.out).contains("receipt_code"));

    REQUIRE(s.outboxStats()["pending"] == 2);
    auto usb = s.tmp / "usb";
    r = s.kiosk({"outbox", "--config", s.config.string(), "--export", usb.string()});
    REQUIRE(r.exitCode == 0);
    REQUIRE(s.outboxStats()["pending"] == 2); // exported envelopes stay pending

    r = s.countyCmd({"open", "--dir", s.county.string(), "--json", usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    auto opened = jsonLines(r.out);
    REQUIRE(opened.size() == 2);
    REQUIRE(opened[0]["status"] == "ok");
    REQUIRE(opened[0]["kind"] == "complaint");
    REQUIRE(opened[0]["answers"] == complaint);
    REQUIRE(opened[1]["status"] == "ok");
    REQUIRE(opened[1]["answers"] == survey);

    // The human form prints the text as well.
    r = s.countyCmd({"open", "--dir", s.county.string(), usb.string()});
    REQUIRE(r.exitCode == 0);
    REQUIRE_THAT(r.out, Catch::Contains("verified"));
}

TEST_CASE("nothing a parent wrote is readable at rest", "[cli][at-rest]") {
    Site s;
    const std::string marker = "MARKER-7f3a9c-家长反映的内容";
    json complaint = s.example("complaint");
    complaint["description"] = marker;
    auto r = s.submit("complaint", complaint);
    REQUIRE(r.exitCode == 0);
    std::size_t files = 0;
    for (const auto& e : fs::recursive_directory_iterator(s.bundle)) {
        if (!e.is_regular_file())
            continue;
        ++files;
        INFO(e.path());
        REQUIRE(test::readFile(e.path()).find(marker) == std::string::npos);
        REQUIRE(test::readFile(e.path()).find("MARKER-7f3a9c") == std::string::npos);
    }
    REQUIRE(files > 5);
    const std::string db = test::readFile(s.bundle / "data/outbox.db");
    REQUIRE(db.size() >= 16);
    REQUIRE(db.compare(0, 16, std::string("SQLite format 3\0", 16)) != 0);
}

TEST_CASE("invalid answers are refused field by field and nothing is stored", "[cli][invalid]") {
    Site s;
    json good = s.example("complaint");

    json missing = good;
    missing.erase("description");
    auto r = s.submit("complaint", missing);
    REQUIRE(r.exitCode == 1);
    REQUIRE_THAT(r.err, Catch::Contains("description"));
    REQUIRE_THAT(r.err, Catch::Contains("nothing was saved"));

    json tooLong = good;
    tooLong["description"] = std::string(30000, 'x');
    r = s.submit("complaint", tooLong);
    REQUIRE(r.exitCode == 1);
    REQUIRE_THAT(r.err, Catch::Contains("description"));

    json wrongType = good;
    wrongType["category"] = 3;
    r = s.submit("complaint", wrongType);
    REQUIRE(r.exitCode == 1);
    REQUIRE_THAT(r.err, Catch::Contains("category"));

    json unknown = good;
    unknown["favourite_colour"] = "blue";
    r = s.submit("complaint", unknown);
    REQUIRE(r.exitCode == 1);
    REQUIRE_THAT(r.err, Catch::Contains("favourite_colour"));

    r = s.kiosk({"submit", "--config", s.config.string(), "--form", "complaint", "--answers", "-"},
                "{ this is not json");
    REQUIRE(r.exitCode == 1);

    r = s.kiosk({"submit", "--config", s.config.string(), "--form", "praise", "--answers", "-"},
                "{}");
    REQUIRE(r.exitCode == 2);
    REQUIRE_THAT(r.err, Catch::Contains("complaint, survey"));

    // Nothing above was stored: the first good submission is sequence 1.
    r = s.submit("complaint", good);
    REQUIRE(r.exitCode == 0);
    REQUIRE(json::parse(r.out)["sequence"] == 1);
}

TEST_CASE("bad configuration and keys stop the kiosk with the file and the fix", "[cli][config]") {
    Site s;
    json good = s.example("survey");

    SECTION("malformed kiosk.toml") {
        std::string text = test::readFile(s.config);
        test::writeFile(s.config, text + "\n[kiosk\n");
        auto r = s.submit("survey", good);
        REQUIRE(r.exitCode == 2);
        REQUIRE_THAT(r.err, Catch::Contains("kiosk.toml:"));
    }
    SECTION("world-readable kiosk secret key") {
        REQUIRE(chmod((s.bundle / "keys/kiosk-signing.key").c_str(), 0644) == 0);
        auto r = s.submit("survey", good);
        REQUIRE(r.exitCode == 2);
        REQUIRE_THAT(r.err, Catch::Contains("chmod 600"));
        REQUIRE_FALSE(fs::exists(s.bundle / "data/outbox.db"));
    }
    SECTION("corrupt county key") {
        test::writeFile(s.bundle / "keys/county-sealing.pub", "minsheng-key: 1\nkind: nonsense\n");
        auto r = s.submit("survey", good);
        REQUIRE(r.exitCode == 2);
        REQUIRE_THAT(r.err, Catch::Contains("county-sealing.pub"));
    }
    SECTION("missing form file") {
        fs::remove(s.bundle / "forms/survey.toml");
        auto r = s.submit("survey", good);
        REQUIRE(r.exitCode == 2);
        REQUIRE_THAT(r.err, Catch::Contains("survey.toml"));
    }
    SECTION("the store key replaced by another") {
        REQUIRE(s.submit("survey", good).exitCode == 0);
        const std::string before = test::readFile(s.bundle / "data/outbox.db");
        fs::remove(s.bundle / "data/outbox.key");
        test::writeFile(s.bundle / "data/outbox.key", std::string(32, 'k'));
        REQUIRE(chmod((s.bundle / "data/outbox.key").c_str(), 0600) == 0);
        auto r = s.submit("survey", good);
        REQUIRE(r.exitCode == 2);
        REQUIRE_THAT(r.err, Catch::Contains("outbox.db"));
        REQUIRE(test::readFile(s.bundle / "data/outbox.db") == before); // never recreated
    }
}

TEST_CASE("the county rejects a tampered export", "[cli][attack]") {
    Site s;
    REQUIRE(s.submit("survey", s.example("survey")).exitCode == 0);
    auto usb = s.tmp / "usb";
    REQUIRE(s.kiosk({"outbox", "--config", s.config.string(), "--export", usb.string()}).exitCode ==
            0);
    fs::path file = *fs::directory_iterator(usb);
    json e = json::parse(test::readFile(file));
    e.erase("hash");
    // Another receipt tag: a signed header field (the minute is sealed inside the payload).
    std::string tag = e["receipt_tag"].get<std::string>();
    tag[0] = tag[0] == '0' ? '1' : '0';
    e["receipt_tag"] = tag;
    test::writeFile(file, e.dump());
    auto r = s.countyCmd({"open", "--dir", s.county.string(), "--json", usb.string()});
    REQUIRE(r.exitCode == 1);
    REQUIRE(jsonLines(r.out).at(0)["status"] == "bad-signature");
}

TEST_CASE("every command explains itself", "[cli][help]") {
    Site s;
    for (const auto& sub : {"submit", "outbox", "forms"}) {
        auto r = s.kiosk({sub, "--help"});
        REQUIRE(r.exitCode == 0);
        REQUIRE_THAT(r.out, Catch::Contains("--config"));
    }
    for (const auto& sub : {"init", "provision", "kiosks", "open"}) {
        auto r = s.countyCmd({sub, "--help"});
        REQUIRE(r.exitCode == 0);
        REQUIRE_THAT(r.out, Catch::Contains("--dir"));
    }
    auto r = s.kiosk({});
    REQUIRE(r.exitCode == 2);
    r = s.countyCmd({"kiosks", "--dir", s.county.string(), "--json"});
    REQUIRE(json::parse(r.out).at(0)["id"] == "cli-001");
}

TEST_CASE("files that hold reports are private to their owner whatever the umask",
          "[cli][at-rest][modes]") {
    // The shell default, which lets everyone on the machine read new files.
    const mode_t saved = ::umask(022);
    Site s;
    auto r = s.submit("complaint", s.example("complaint"));
    REQUIRE(r.exitCode == 0);
    s.exportToUsb();
    r = s.countyCmd({"import", "--dir", s.county.string(), s.usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    const fs::path exports = s.tmp / "exports";
    fs::create_directories(exports);
    r = s.countyCmd({"export", "--dir", s.county.string(), "--format", "xlsx", "--out",
                     (exports / "cases.xlsx").string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = s.countyCmd({"export", "--dir", s.county.string(), "--format", "csv", "--out",
                     (exports / "csv").string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    ::umask(saved);

    std::vector<fs::path> checked;
    const auto check = [&](const fs::path& dir, const std::string& prefix) {
        for (const auto& e : fs::directory_iterator(dir)) {
            const std::string name = e.path().filename().string();
            if (!e.is_regular_file() || name.rfind(prefix, 0) != 0)
                continue;
            struct stat st {};
            REQUIRE(::stat(e.path().c_str(), &st) == 0);
            INFO(e.path());
            CHECK((st.st_mode & 0777) == 0600);
            checked.push_back(e.path());
        }
    };
    check(s.bundle / "data", "outbox.db"); // with its -wal and -shm
    check(s.county, "ledger.db");
    check(s.usb, "");
    CHECK(checked.size() >= 3); // outbox, ledger, the exported envelope (-wal and -shm when left)
    check(exports, "cases.xlsx");
    check(exports / "csv", ""); // a file per form and history.csv
    CHECK(checked.size() >= 3 + 1 + 3);
    struct stat folder {};
    REQUIRE(::stat((exports / "csv").c_str(), &folder) == 0);
    CHECK((folder.st_mode & 0777) == 0700);
}
