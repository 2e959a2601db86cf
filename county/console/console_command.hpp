// `minsheng-county console`: the office console, a web workplace for the county 双减 office
// served by the office's own machine (the one that holds the sealing key and the ledger), never
// by the public intake server.
//
//   minsheng-county console --dir DIR [--listen HOST:PORT] [--passphrase-file F]
//                           [--server URL] [--pull-every MINUTES] [--host NAME]...
//                           [--idle-minutes N]
//
// At start: loads county.toml and the case rules, asks for the county passphrase once (or reads
// it from --passphrase-file / MINSHENG_PASSPHRASE_FILE / a systemd credential file), opens the
// ledger, holds the signing and sealing keys in guarded memory for the life of the process,
// makes DIR/tls/console.{pem,key} from the county CA when they are missing, and prints
// "console: https://HOST:PORT/" once it accepts connections. It refuses to start while the
// ledger has no enabled supervisor account (create one with `user add --role supervisor`).
// Then it pulls from the intake server every --pull-every minutes (0: only on demand) and pushes
// queued statuses a few seconds after each change. Exits 0 after SIGTERM/SIGINT, 2 on bad
// configuration.
#pragma once

#include "county/office/county_cli.hpp"

namespace minsheng::console {

/// Adds `console` to minsheng-county.
void addConsoleCommand(county::CountyCommands& commands);

} // namespace minsheng::console
