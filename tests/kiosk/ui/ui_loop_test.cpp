// The whole case loop through the touch window, with no stand-ins: a complaint typed by real X11
// clicks on the real kiosk, carried by the real forwarder (`minsheng-kiosk sync`) to the real
// county server on 127.0.0.1, pulled and decrypted by the staff tool, given a status and a reply
// by staff, and then looked up at the kiosk by typing the receipt code on the on-screen pad: the
// kiosk shows the county's status and reply, whose county signature the forwarder verified; and
// again when the code is scanned by a QR reader (a keyboard to the system) instead of typed.
#include "crypto/receipt_code.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/e2e_support.hpp"
#include "tests/support/run_process.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <thread>

using namespace minsheng;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void enableAutomation(const fs::path& config) {
    std::string text = readAll(config);
    const std::string from = "automation = false";
    const auto pos = text.find(from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, from.size(), "automation = true");
    std::ofstream(config) << text;
}

/// The receipt code on the receipt screen (4-4-4-4), from the labels the window drew.
std::string receiptCodeOnScreen(test::ui::Kiosk& k) {
    const json d = k.dump();
    for (const auto& l : d["labels"])
        if (crypto::ReceiptCode::parse(l.get<std::string>()).ok())
            return l;
    INFO(d["labels"].dump());
    FAIL("no receipt code on screen");
    return {};
}

} // namespace

TEST_CASE("the case loop: typed at the kiosk, worked by staff, status shown at the kiosk",
          "[ui][e2e][loop]") {
    test::E2eSite site;
    test::CountyServer server(site.county, site.tmp.path());
    const std::uint16_t port = server.start();
    site.pointKioskAt(port);
    enableAutomation(site.config);
    const std::string url = "https://127.0.0.1:" + std::to_string(port);
    test::Child forwarder(test::binary("minsheng-kiosk"),
                          {"sync", "--config", site.config.string(), "--poll-ms", "200",
                           "--upload-delay-minutes", "0", "--retry-base-ms", "100"},
                          site.tmp / "forwarder.out", site.tmp / "forwarder.err");

    test::ui::XServer x;
    test::ui::Kiosk k(x, site.config, site.tmp.path());

    // 1. A parent reports, anonymously, by touch.
    const std::string marker = "weekend maths class in flat 502";
    k.startOtherReport();
    for (int guard = 0; guard < 30 && k.dump()["screen"] == "field"; ++guard) {
        if (k.dump()["field"] == "description")
            k.typeByKeys(marker);
        k.click("next");
    }
    k.submitFromPrivacy();
    const std::string code = receiptCodeOnScreen(k);
    k.click("receipt.noted");
    k.click("finish");
    k.waitScreen("home");

    // 2. The forwarder delivers it; the county acknowledged it (its signature checked by the
    //    forwarder before the outbox records it). Bounded wait on a state, not a timing.
    bool delivered = false;
    for (int i = 0; i < 600 && !delivered; ++i) {
        const auto st = site.outboxStats();
        delivered = st.pendingCount == 0 && st.lastAcknowledgedSequence.value_or(0) >= 1;
        if (!delivered)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(forwarder.err());
    REQUIRE(delivered);

    // 3. Staff pull, decrypt and see exactly what was typed; then set a status and reply.
    const fs::path county = test::binary("minsheng-county");
    auto r = test::runProcess(county, {"pull", "--dir", site.county.string(), "--server", url});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    r = test::runProcess(county, {"case", "show", "--dir", site.county.string(), code});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);
    CHECK(r.out.find(marker) != std::string::npos);
    const std::string reply = "已转交属地教育局核查";
    r = test::runProcess(county, {"case", "set", "--dir", site.county.string(), code, "--status",
                                  "办理中", "--reply", reply, "--server", url});
    INFO(r.out << r.err);
    REQUIRE(r.exitCode == 0);

    // 4. At the kiosk, the parent types the code on the pad and sees the county's answer.
    k.click("home.lookup");
    k.waitScreen("lookup");
    for (char c : code)
        if (c != '-')
            k.click(std::string("pad:") + c);
    k.click("lookup.go");
    k.waitScreen("lookup_result");
    const json d = k.dump();
    INFO(d["labels"].dump());
    CHECK(k.labelsContain(reply));
    CHECK(k.labelsContain("办理中"));
    CHECK_FALSE(k.labelsContain(marker)); // the status, never the report's text
    k.screenshot(test::ui::screenshotDir() / "loop-lookup-result.png");

    // 5. Or the parent holds the receipt's QR code to the kiosk's reader, which types the code
    //    and Enter; the kiosk looks it up at once.
    k.click("finish");
    k.waitScreen("home");
    k.click("home.lookup");
    k.waitScreen("lookup");
    k.scan(code);
    k.waitScreen("lookup_result");
    CHECK(k.labelsContain(reply));
    k.quit();
}
