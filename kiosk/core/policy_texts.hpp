// The 政策须知 (rules) pages: short, plain-language summaries of the rules parents may report
// against, each citing the policy document it paraphrases. Regional data, not code:
// config/policy/rules.toml is the shipped example.
//
//   [[pages]]
//   title  = { zh-CN = "...", en = "..." }
//   body   = { zh-CN = "...", en = "..." }   # may contain newlines
//   source = { zh-CN = "...", en = "..." }   # the document's title, as cited
//
// Every page needs all three in both locales; there must be 1..50 pages.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/forms_vocabulary.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/localized_text.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace minsheng::kiosk {

struct PolicyPage {
    LocalizedText title;
    LocalizedText body;
    LocalizedText source;
};

Result<std::vector<PolicyPage>, ConfigError> loadPolicyPages(const std::filesystem::path& path);
Result<std::vector<PolicyPage>, ConfigError> parsePolicyPages(std::string_view toml,
                                                              std::string_view file);

} // namespace minsheng::kiosk
