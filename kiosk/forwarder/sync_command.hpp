// `minsheng-kiosk sync`: the forwarder as a subcommand of the kiosk program (docs/forwarder.md).
//
//   minsheng-kiosk sync --config KIOSK.toml           the service: runs until SIGTERM/SIGINT
//   minsheng-kiosk sync --config KIOSK.toml --once    drain what is pending now, then exit
//
// It is a process of its own (a systemd service beside the UI's): it never sees plaintext, and
// the UI process never opens a network connection.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace minsheng::forwarder {

/// Adds the `sync` subcommand to `app`; when it is chosen, `run` is set to run it.
void addSyncCommand(CLI::App& app, std::function<int()>& run);

} // namespace minsheng::forwarder
