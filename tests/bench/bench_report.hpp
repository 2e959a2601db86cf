// The command line and the report shared by the benchmark programs.
//
// Every benchmark answers `--help` with its usage and exits 0 without measuring anything, and
// with `--json` prints its figures as exactly one JSON object on stdout, so that runs can be
// compared by name. The human-readable lines a benchmark prints go through `text()`: stdout
// normally, stderr under `--json` (stdout then holds only the object).
//
// Figure names are stable, snake_case, and carry their unit as a suffix (`_us`, `_ms`, `_s`,
// `_per_s`, `_mb`, `_pct`); scripts and outside checks read them, so a name is never reused for a
// different quantity.
//
//   bench::Report report("minsheng-bench-submit", "Durable submit latency vs a plain insert.");
//   int iterations = 1000;
//   report.option("--iterations", "N", "submits per answer size", iterations);
//   if (auto rc = report.parse(argc, argv))
//       return *rc;                      // --help, or a bad argument
//   std::fprintf(report.text(), "...");
//   report.figure("submit_p99_us", p99);
//   return report.finish();              // prints the JSON object under --json
#pragma once

#include <nlohmann/json.hpp>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace minsheng::bench {

class Report {
public:
    Report(std::string program, std::string summary)
        : m_program(std::move(program)), m_summary(std::move(summary)) {}

    // A `--name VALUE` option that sets `target`; its current value is shown as the default.
    void option(std::string name, std::string valueName, std::string help, int& target) {
        addOption(
            std::move(name), std::move(valueName), std::move(help), std::to_string(target),
            [&target](const std::string& v) {
                target = std::stoi(v);
                return target > 0;
            });
    }
    void option(std::string name, std::string valueName, std::string help, std::size_t& target) {
        addOption(
            std::move(name), std::move(valueName), std::move(help), std::to_string(target),
            [&target](const std::string& v) {
                target = std::stoul(v);
                return target > 0;
            });
    }

    // Reads the command line. Returns an exit status when the program must stop before
    // measuring: 0 after `--help`, 2 after an unknown option or a bad value.
    [[nodiscard]] std::optional<int> parse(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                printUsage(stdout);
                return 0;
            }
            if (arg == "--json") {
                m_json = true;
                continue;
            }
            const Option* known = nullptr;
            for (const auto& o : m_options)
                if (o.name == arg)
                    known = &o;
            if (!known) {
                std::fprintf(stderr, "%s: unknown argument %s\n", m_program.c_str(), arg.c_str());
                printUsage(stderr);
                return 2;
            }
            bool ok = i + 1 < argc;
            if (ok) {
                try {
                    ok = known->set(argv[++i]);
                } catch (const std::exception&) {
                    ok = false;
                }
            }
            if (!ok) {
                std::fprintf(stderr, "%s: %s needs a positive %s\n", m_program.c_str(), arg.c_str(),
                             known->valueName.c_str());
                return 2;
            }
        }
        return std::nullopt;
    }

    bool json() const { return m_json; }

    // Where human-readable lines go: stdout, or stderr under --json.
    std::FILE* text() const { return m_json ? stderr : stdout; }

    // Records one figure for the JSON object; a later figure of the same name replaces it.
    void figure(const std::string& name, double value) { m_figures[name] = value; }
    void figure(const std::string& name, const std::string& value) { m_figures[name] = value; }

    // Prints the JSON object under --json; returns `status` so main can end with it.
    int finish(int status = 0) const {
        if (m_json) {
            nlohmann::json out = m_figures;
            out["benchmark"] = m_program;
            out["ok"] = status == 0;
            std::printf("%s\n", out.dump().c_str());
            std::fflush(stdout);
        }
        return status;
    }

private:
    struct Option {
        std::string name, valueName, help, defaultValue;
        std::function<bool(const std::string&)> set;
    };

    void addOption(std::string name, std::string valueName, std::string help,
                   std::string defaultValue, std::function<bool(const std::string&)> set) {
        m_options.push_back({std::move(name), std::move(valueName), std::move(help),
                             std::move(defaultValue), std::move(set)});
    }

    void printUsage(std::FILE* to) const {
        std::fprintf(to, "%s: %s\n\nusage: %s [--json]", m_program.c_str(), m_summary.c_str(),
                     m_program.c_str());
        for (const auto& o : m_options)
            std::fprintf(to, " [%s %s]", o.name.c_str(), o.valueName.c_str());
        std::fprintf(to, "\n\n  %-22s %s\n", "--help", "print this and exit without measuring");
        std::fprintf(to, "  %-22s %s\n", "--json",
                     "print the figures as one JSON object on stdout (text goes to stderr)");
        for (const auto& o : m_options)
            std::fprintf(to, "  %-22s %s (default %s)\n", (o.name + " " + o.valueName).c_str(),
                         o.help.c_str(), o.defaultValue.c_str());
    }

    std::string m_program, m_summary;
    std::vector<Option> m_options;
    nlohmann::json m_figures = nlohmann::json::object();
    bool m_json = false;
};

} // namespace minsheng::bench
