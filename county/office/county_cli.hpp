// The command line of minsheng-county, shared by the modules that add subcommands to it: the
// county folder's own commands (county/app), the intake server (county/server) and the staff
// tool (county/staff).
//
// Every module adds each of its subcommands once, through CountyCommands::add(); the options a
// subcommand reads live as long as the subcommand, and the action of the one chosen on the
// command line runs after parsing. Options several subcommands share (--dir, --passphrase-file,
// --json, --server) are declared by the functions below, so they are spelled and checked the
// same everywhere.
//
// Exit statuses of every subcommand: 0 success; kExitFailure (1) the command ran but found
// problems; kExitUsage (2) bad arguments, configuration or keys.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace minsheng::county {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

/// Prints "PROGRAM: MESSAGE" on standard error; returns kExitUsage.
int complain(const std::string& message, std::string_view program = "minsheng-county");

/// A subcommand just added, and the options its action will be given.
template <class Options>
struct Subcommand {
    CLI::App* app;
    Options& options;
};

class CountyCommands {
public:
    /// `app` is the minsheng-county application; it must outlive this object.
    explicit CountyCommands(CLI::App& app) : m_app(app) {}
    CountyCommands(const CountyCommands&) = delete;
    CountyCommands& operator=(const CountyCommands&) = delete;

    CLI::App& app() { return m_app; }

    /// Adds subcommand `name` under `parent` (the application, or a group such as `case`) with a
    /// value-initialised `Options` owned by the subcommand. When it is the subcommand chosen on
    /// the command line, run() returns `action(options)`.
    template <class Options, class Action>
    Subcommand<Options> add(CLI::App& parent, std::string name, std::string description,
                            Action action) {
        auto options = std::make_shared<Options>();
        CLI::App* sub = parent.add_subcommand(std::move(name), std::move(description));
        sub->callback([this, options, action] {
            m_chosen = [options, action] {
                return action(*options);
            };
        });
        return {sub, *options};
    }
    template <class Options, class Action>
    Subcommand<Options> add(std::string name, std::string description, Action action) {
        return add<Options>(m_app, std::move(name), std::move(description), std::move(action));
    }

    /// Parses the command line and runs the chosen subcommand; returns the exit status (0 after
    /// --help or --version, kExitUsage after a parse error).
    int parseAndRun(int argc, char** argv);

private:
    CLI::App& m_app;
    std::function<int()> m_chosen;
};

// The shared options. Each is added in the order the subcommand's help lists it; the
// description names what the option means for that subcommand when the default does not fit.

/// --dir DIR, required.
CLI::Option* addDirOption(CLI::App& sub, std::filesystem::path& dir,
                          const std::string& description = "County folder");
/// --passphrase-file FILE: the passphrase of the county's protected secret keys.
CLI::Option*
addPassphraseFileOption(CLI::App& sub, std::optional<std::filesystem::path>& file,
                        const std::string& description =
                            "Read the passphrase from this file (also MINSHENG_PASSPHRASE_FILE)");
/// --json: machine-readable output.
CLI::Option* addJsonFlag(CLI::App& sub, bool& json,
                         const std::string& description = "Machine-readable output");
/// --server URL: the intake server, when not the one in county.toml.
CLI::Option* addServerOption(CLI::App& sub, std::optional<std::string>& url);

} // namespace minsheng::county
