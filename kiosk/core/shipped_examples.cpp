#include "kiosk/core/shipped_examples.hpp"

#include "sync/forms/form_set.hpp"
#include "sync/forms/toml_reader.hpp"

namespace minsheng::kiosk {
namespace fs = std::filesystem;

std::optional<std::string> findShippedExample(const KioskConfig& config,
                                              const fs::path& contactFile) {
    if (config.demo)
        return std::nullopt;
    const std::string what =
        " Parents would see it. Ask the county office for its real configuration (`minsheng-county "
        "config publish` sends it to every kiosk); only a demonstration kiosk may set demo = true "
        "in [kiosk] of " +
        config.file.string() + ".";
    auto quoted = [](const forms::Placeholder& p) {
        return std::string(p.reason) + " \"" + std::string(p.text) + "\"";
    };
    if (auto p = forms::findPlaceholder(config.hotline))
        return contactFile.string() + ": [contact] hotline still holds " + quoted(*p) +
               "; set the county's real reporting hotline." + what;
    if (auto p = forms::findPlaceholder(config.mailbox))
        return contactFile.string() + ": [contact] mailbox still holds " + quoted(*p) +
               "; set the county's real reporting mailbox or address." + what;
    for (const fs::path& file :
         {config.complaintForm, config.surveyForm, config.lists, config.uiPolicy}) {
        if (file.empty())
            continue;
        // The files were loaded just before; one that cannot be read now has its own error.
        auto text = forms::readConfigFile(file);
        if (!text)
            continue;
        if (auto found = forms::findPlaceholderInFile(*text))
            return file.string() + ":" + std::to_string(found->line) + ": still holds " +
                   quoted(found->placeholder) +
                   "; replace the example entries with the county's own." + what;
    }
    return std::nullopt;
}

} // namespace minsheng::kiosk
