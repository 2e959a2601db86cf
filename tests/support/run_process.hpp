// Runs one of our binaries as a child process and captures what it printed.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace minsheng::test {

struct ProcessResult {
    int exitCode = -1; // -1 when killed by a signal
    int signal = 0;
    std::string out;
    std::string err;
};

/// Runs `program` with `args`, optional stdin text and extra environment variables, and waits.
ProcessResult runProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                         const std::string& stdinText = {},
                         const std::map<std::string, std::string>& env = {});

/// Path of a built program, e.g. binary("minsheng-kiosk").
std::filesystem::path binary(const std::string& name);

} // namespace minsheng::test
