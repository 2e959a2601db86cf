// A county's complete set of forms: the lists, the complaint form and the survey, checked
// together. The one validator of a configuration's forms: the kiosk loads its forms with it, and
// `minsheng-county provision` and `config publish` check the county's forms with it before any
// kiosk sees them.
#pragma once

#include "crypto/result.hpp"
#include "sync/forms/config_error.hpp"
#include "sync/forms/form.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::forms {

/// Both forms and the lists they use.
struct FormSet {
    ListSet lists;
    Form complaint;
    Form survey;
};

/// Loads lists, then both forms, and checks that the complaint form file really holds a
/// complaint form (kind "complaint") and the survey file a survey.
Result<FormSet, ConfigError> loadFormSet(const std::filesystem::path& lists,
                                         const std::filesystem::path& complaint,
                                         const std::filesystem::path& survey);

/// The shipped example values that must never reach a parent: the placeholder hotline, the
/// 示范县 address and the fictional 云溪县 of the example school list.
struct Placeholder {
    std::string_view text;   // as it appears in a file
    std::string_view reason; // what it is, for the message
};
/// The first shipped example value `text` holds, or nullopt.
std::optional<Placeholder> findPlaceholder(std::string_view text);

/// A shipped example value in a file's text, and the 1-based line it is first found on.
struct PlaceholderInFile {
    Placeholder placeholder;
    long line = 0;
};
/// The first shipped example value in the whole text of a file (forms, lists, policy pages),
/// with its line, so that a message can say "FILE:LINE".
std::optional<PlaceholderInFile> findPlaceholderInFile(std::string_view text);

} // namespace minsheng::forms
