// CountySite: a county folder made with the real `minsheng-county init --no-passphrase` and one
// kiosk provisioned from it with `minsheng-county provision`, in a temporary folder; the tests of
// the programs (tests/cli, tests/county/staff) drive both through it as child processes.
#pragma once

#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace minsheng::test {

class CountySite {
public:
    /// Makes the county and the kiosk `kioskId` named `kioskName`; fails the test if either
    /// program refuses. `prefix` names the temporary folder.
    CountySite(const std::string& prefix, const std::string& kioskId, const std::string& kioskName);

    TempDir tmp;
    std::filesystem::path county = tmp / "county";
    std::filesystem::path bundle = tmp / "kiosk";
    std::filesystem::path config = bundle / "kiosk.toml";
    std::filesystem::path usb = tmp / "usb"; // where exports go (the USB stick)
    std::filesystem::path kioskBin = binary("minsheng-kiosk");
    std::filesystem::path countyBin = binary("minsheng-county");

    ProcessResult kiosk(std::vector<std::string> args, const std::string& stdinText = {}) const;
    ProcessResult countyCmd(std::vector<std::string> args) const;

    /// `minsheng-kiosk forms --example FORM`: a valid answer set for the form.
    nlohmann::json example(const std::string& form) const;
    /// `minsheng-kiosk submit --json` with `answers` on stdin.
    ProcessResult submit(const std::string& form, const nlohmann::json& answers) const;
    /// `minsheng-kiosk outbox --export` into `usb`; fails the test if it is refused.
    void exportToUsb() const;
};

} // namespace minsheng::test
