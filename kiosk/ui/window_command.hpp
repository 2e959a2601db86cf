// minsheng-kiosk's touch-window options and the `hash-pin` subcommand, registered on the
// program's CLI11 app (kiosk/app/kiosk_main.cpp calls addWindowCommands at its registration
// point):
//
//   minsheng-kiosk --config KIOSK.toml [--windowed WxH] [--automation PATH]   the window
//   minsheng-kiosk hash-pin                                                   a [staff] pin_hash
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace minsheng::kiosk::ui {

/// Adds the top-level window options and `hash-pin`; sets `run` when either was chosen.
void addWindowCommands(CLI::App& app, std::function<int()>& run);

} // namespace minsheng::kiosk::ui
