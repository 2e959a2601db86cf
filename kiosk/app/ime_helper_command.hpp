// `minsheng-kiosk ime-helper`: the input-method helper process (kiosk/core/ime_helper.hpp). Not
// for people: the touch window starts it with its socket as descriptor 3, one per session, and
// ends it when the session is wiped (kiosk/core/ime_client.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace minsheng::kiosk {

void addImeHelperCommand(CLI::App& app, std::function<int()>& run);

} // namespace minsheng::kiosk
