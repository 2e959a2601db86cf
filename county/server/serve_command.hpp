// `minsheng-county serve`: the county intake server as a subcommand of minsheng-county.
//
//   minsheng-county serve --dir DIR [--listen HOST:PORT] [--passphrase-file F] [--threads N]
//
// Loads the county signing key (to sign acknowledgements and "received" statuses; asks for the
// passphrase when the key is protected: --passphrase-file, MINSHENG_PASSPHRASE_FILE, or the
// terminal), the kiosk registry, the staff token and DIR/tls/server.{pem,key}; opens
// DIR/intake.db; prints "listening on https://HOST:PORT" on stdout when connections are accepted
// (port 0 in --listen: a free port, and the line names it); logs one line per request on stdout;
// exits 0 after SIGTERM/SIGINT once requests in flight are answered, 2 on bad configuration.
// The county SEALING secret key is never loaded: the server cannot open what parents wrote.
#pragma once

#include "county/office/county_cli.hpp"

#include <optional>
#include <string>
#include <utility>

namespace minsheng::server {

/// "host:port", "[v6]:port" → host, port (port: 1–5 digits); nullopt when it is neither.
std::optional<std::pair<std::string, std::string>> splitListenAddress(const std::string& listen);

/// Adds `serve` to minsheng-county.
void addServeCommand(county::CountyCommands& commands);

} // namespace minsheng::server
