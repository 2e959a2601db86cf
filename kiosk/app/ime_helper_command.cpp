#include "kiosk/app/ime_helper_command.hpp"

#include "kiosk/core/ime_helper.hpp"

#include <iostream>
#include <memory>
#include <sys/stat.h>

namespace minsheng::kiosk {

namespace {

constexpr int kSocketFd = 3; // ime_client.cpp hands the socket over here
constexpr int kExitUsage = 2;

struct ImeHelperArgs {
    std::string rimeData;
    std::string handwritingModel;
    int parent = 0;
};

int runImeHelper(const ImeHelperArgs& a) {
    struct stat st {};
    if (::fstat(kSocketFd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        std::cerr << "minsheng-kiosk ime-helper: descriptor 3 is not a socket; the touch window "
                     "starts this helper, not a person.\n";
        return kExitUsage;
    }
    if (auto confined = confineImeHelper(kSocketFd, a.parent); !confined) {
        std::cerr << "minsheng-kiosk ime-helper: " << confined.error() << "\n";
        return kExitUsage;
    }
    return serveImeHelper(kSocketFd, ImeHelperOptions{a.rimeData, a.handwritingModel});
}

} // namespace

void addImeHelperCommand(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<ImeHelperArgs>();
    auto* cmd = app.add_subcommand(
        "ime-helper", "The touch window's input-method helper (started by the window itself).");
    cmd->group(""); // not listed in --help: nobody runs it by hand
    cmd->add_option("--rime-data", args->rimeData, "Deployed Rime data (empty: no pinyin)");
    cmd->add_option("--handwriting-model", args->handwritingModel,
                    "zinnia model (empty: no handwriting)");
    cmd->add_option("--parent", args->parent, "The window's pid")->required();
    cmd->callback([&run, args] {
        run = [args] {
            return runImeHelper(*args);
        };
    });
}

} // namespace minsheng::kiosk
