// Every prompt read-aloud can say: the texts the screens put into FrameState::speech
// (kiosk/ui/screens_*.cpp), enumerated from the loaded configuration so that read-aloud gets the
// configuration's pinned readings and a test can check the reading of each one.
//
// What the screens speak: a question's label (Screens::heading), the options of a single or
// multiple question and the items of a picker (their labels), a policy page's title, and the
// catalogue texts of kSpokenCatalogKeys. Scale questions speak their face labels (scale.1-5).
#pragma once

#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/locale_catalog.hpp"
#include "kiosk/core/policy_texts.hpp"

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace minsheng::kiosk {

/// The catalogue keys whose text the screens speak, in no particular order.
inline constexpr std::array<std::string_view, 21> kSpokenCatalogKeys = {"home.title",
                                                                        "home.report",
                                                                        "home.survey",
                                                                        "home.lookup",
                                                                        "scale.1",
                                                                        "scale.2",
                                                                        "scale.3",
                                                                        "scale.4",
                                                                        "scale.5",
                                                                        "lookup.title",
                                                                        "lookup.found_title",
                                                                        "lookup.not_found_title",
                                                                        "lookup.offline_title",
                                                                        "lookup.unavailable_title",
                                                                        "privacy.title",
                                                                        "review.title",
                                                                        "receipt.title",
                                                                        "trouble.disk_full_title",
                                                                        "trouble.save_failed_title",
                                                                        "staff.pin_title",
                                                                        "staff.health_title"};

struct SpokenPrompt {
    std::string text;    // as the screen shows it
    std::string reading; // the configuration's pinned reading; empty when none
    std::string origin;  // where it comes from, for messages ("complaint.toml field category")
};

/// The prompts of `locale`, each text once (the first origin wins), in configuration order.
std::vector<SpokenPrompt> spokenPrompts(const FormSet& forms, const std::vector<PolicyPage>& policy,
                                        const LocaleCatalog& catalog, std::string_view locale);

/// Loads the forms, policy pages and catalogue `config` names and enumerates their prompts (the
/// `speak` command and tests; the window has them loaded already).
Result<std::vector<SpokenPrompt>, ConfigError> loadSpokenPrompts(const KioskConfig& config,
                                                                 std::string_view locale);

/// The pinned readings among `prompts`: text → reading (ReadAloudOptions::pinnedReadings).
std::map<std::string, std::string, std::less<>>
pinnedReadings(const std::vector<SpokenPrompt>& prompts);

} // namespace minsheng::kiosk
