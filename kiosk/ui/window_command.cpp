#include "kiosk/ui/window_command.hpp"

#include "kiosk/core/staff_pin.hpp"
#include "kiosk/ui/kiosk_window.hpp"

#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace minsheng::kiosk::ui {

namespace {

struct WindowArgs {
    std::string config;
    std::string windowed;
    std::string automation;
    bool check = false;
};

int runHashPin() {
    const bool tty = ::isatty(0);
    termios old{};
    if (tty) {
        std::cerr << "Staff PIN (4-12 digits): " << std::flush;
        ::tcgetattr(0, &old);
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSANOW, &quiet);
    }
    std::string pin;
    std::getline(std::cin, pin);
    if (tty) {
        ::tcsetattr(0, TCSANOW, &old);
        std::cerr << "\n";
    }
    while (!pin.empty() && (pin.back() == '\r' || pin.back() == ' '))
        pin.pop_back();
    if (!isValidStaffPin(pin)) {
        sodium_memzero(pin.data(), pin.size());
        std::cerr << "minsheng-kiosk: a staff PIN is 4 to 12 digits.\n";
        return 2;
    }
    const std::string hash = hashStaffPin(pin);
    sodium_memzero(pin.data(), pin.size());
    std::cout << "[staff]\npin_hash = \"" << hash << "\"\n";
    return 0;
}

} // namespace

void addWindowCommands(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<WindowArgs>();
    app.add_option("--config", args->config,
                   "With no subcommand: open the touch window for this kiosk configuration");
    app.add_option("--windowed", args->windowed,
                   "Window of WxH pixels (e.g. 1280x800) instead of full screen, for development");
    app.add_option("--automation", args->automation,
                   "Test automation socket PATH; refused unless [kiosk] automation = true");
    app.add_flag("--check", args->check,
                 "Check the configuration, forms, catalogues, policy texts and font, then exit");
    auto* hash = app.add_subcommand(
        "hash-pin", "Read a staff PIN (4-12 digits) from stdin and print the [staff] pin_hash "
                    "line (Argon2id) for the kiosk configuration.");
    hash->callback([&run] { run = runHashPin; });
    app.final_callback([&app, &run, args] {
        if (run || !app.get_subcommands().empty())
            return;
        run = [args]() -> int {
            if (args->config.empty()) {
                std::cerr << "minsheng-kiosk: --config KIOSK.toml is required to open the window "
                             "(or name a subcommand; see --help).\n";
                return 2;
            }
            if (args->check) {
                if (auto e = checkKioskWindowConfig(args->config)) {
                    std::cerr << "minsheng-kiosk: " << *e << "\n";
                    return 2;
                }
                std::cout << "ok: " << args->config << " is ready for the touch window\n";
                return 0;
            }
            WindowOptions o;
            o.config = args->config;
            if (!args->windowed.empty()) {
                int w = 0, h = 0;
                char x = 0;
                if (std::sscanf(args->windowed.c_str(), "%d%c%d", &w, &x, &h) != 3 || x != 'x' ||
                    w < 320 || h < 320 || w > 8192 || h > 8192) {
                    std::cerr << "minsheng-kiosk: --windowed takes WIDTHxHEIGHT, e.g. 1280x800.\n";
                    return 2;
                }
                o.fullscreen = false;
                o.width = w;
                o.height = h;
            }
            if (!args->automation.empty())
                o.automation = args->automation;
            return runKioskWindow(o);
        };
    });
}

} // namespace minsheng::kiosk::ui
