// The touch window's entry point: `minsheng-kiosk --config KIOSK.toml` with no subcommand.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace minsheng::kiosk::ui {

struct WindowOptions {
    std::filesystem::path config;
    bool fullscreen = true;
    int width = 1920; // --windowed WxH
    int height = 1080;
    std::optional<std::filesystem::path> automation; // --automation PATH
    std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
};

/// Checks everything (configuration, forms, icons, font, catalogues, policy texts, keys, store),
/// refusing to start with a message on stderr that names the file and the fix; then runs the
/// window until it is closed or the process gets SIGTERM/SIGINT. Returns the exit status:
/// 0 closed normally, 2 refused to start (configuration), 3 the display or store failed.
int runKioskWindow(const WindowOptions& options);

/// Everything runKioskWindow checks before opening a window, without opening one; nullopt when
/// all is well, else the message. (Used by tests and by `--check`.)
std::optional<std::string> checkKioskWindowConfig(const std::filesystem::path& config);

} // namespace minsheng::kiosk::ui
