#include "county/office/county_cli.hpp"

#include <iostream>

namespace minsheng::county {

int complain(const std::string& message, std::string_view program) {
    std::cerr << program << ": " << message << "\n";
    return kExitUsage;
}

int CountyCommands::parseAndRun(int argc, char** argv) {
    try {
        m_app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return m_app.exit(e) == 0 ? 0 : kExitUsage;
    }
    if (!m_chosen)
        return kExitUsage;
    return m_chosen();
}

CLI::Option* addDirOption(CLI::App& sub, std::filesystem::path& dir,
                          const std::string& description) {
    return sub.add_option("--dir", dir, description)->required();
}

CLI::Option* addPassphraseFileOption(CLI::App& sub, std::optional<std::filesystem::path>& file,
                                     const std::string& description) {
    return sub.add_option("--passphrase-file", file, description);
}

CLI::Option* addJsonFlag(CLI::App& sub, bool& json, const std::string& description) {
    return sub.add_flag("--json", json, description);
}

CLI::Option* addServerOption(CLI::App& sub, std::optional<std::string>& url) {
    return sub.add_option("--server", url, "Intake server URL (default: [county] url)");
}

} // namespace minsheng::county
