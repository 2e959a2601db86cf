// The shipped example values (the placeholder hotline 0000-12345678, the 示范县 address, the
// fictional 云溪县 school list) exist so that a demonstration runs out of the box. A parent must
// never see them on a real kiosk: they would call a number that does not exist or pick a school
// that is not there. So the kiosk refuses to run a configuration that still holds one, unless
// kiosk.toml says demo = true, and the message names the file and the key or line to change.
// The county side refuses the same values at provisioning and publishing
// (county/office/config_bundle.hpp); both use forms::findPlaceholder.
#pragma once

#include "kiosk/core/kiosk_config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace minsheng::kiosk {

/// The first shipped example value the configuration would show a parent: in the hotline or
/// mailbox (read from `contactFile`: kiosk.toml, or the contact.toml of a published
/// configuration version), the complaint and survey forms, the lists, or the policy pages.
/// nullopt when there is none, or when `config.demo` is set.
[[nodiscard]] std::optional<std::string>
findShippedExample(const KioskConfig& config, const std::filesystem::path& contactFile);

} // namespace minsheng::kiosk
