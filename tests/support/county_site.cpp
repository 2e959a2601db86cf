#include "tests/support/county_site.hpp"

#include <catch2/catch.hpp>

namespace minsheng::test {

CountySite::CountySite(const std::string& prefix, const std::string& kioskId,
                       const std::string& kioskName)
    : tmp(prefix) {
    auto r = countyCmd({"init", "--dir", county.string(), "--no-passphrase", "--demo"});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = countyCmd({"provision", "--dir", county.string(), "--kiosk-id", kioskId, "--name",
                   kioskName, "--out", bundle.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
}

ProcessResult CountySite::kiosk(std::vector<std::string> args, const std::string& stdinText) const {
    return runProcess(kioskBin, args, stdinText);
}

ProcessResult CountySite::countyCmd(std::vector<std::string> args) const {
    return runProcess(countyBin, args);
}

nlohmann::json CountySite::example(const std::string& form) const {
    auto r = kiosk({"forms", "--config", config.string(), "--example", form});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return nlohmann::json::parse(r.out);
}

ProcessResult CountySite::submit(const std::string& form, const nlohmann::json& answers) const {
    return kiosk(
        {"submit", "--config", config.string(), "--form", form, "--answers", "-", "--json"},
        answers.dump());
}

void CountySite::exportToUsb() const {
    auto r = kiosk({"outbox", "--config", config.string(), "--export", usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
}

} // namespace minsheng::test
