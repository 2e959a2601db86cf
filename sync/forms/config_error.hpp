// ConfigError: what is wrong with a configuration file, and where.
//
// Every loader in the kiosk core (forms, lists, kiosk configuration) reports the first problem it
// finds as one of these, with the line and column of the nearest TOML node, so the person editing
// the file can go straight to it.
#pragma once

#include <string>

namespace minsheng::forms {

struct ConfigError {
    std::string file; // as given to the loader
    int line = 0;     // 1-based; 0 when the problem is not at a place in the file (cannot open)
    int column = 0;   // 1-based; 0 when unknown
    std::string message;

    /// "file:line: message" (or "file: message" when there is no line), the format editors and
    /// compilers use, so the position is clickable in most terminals.
    std::string toString() const {
        if (line > 0)
            return file + ":" + std::to_string(line) + ": " + message;
        return file + ": " + message;
    }
};

} // namespace minsheng::forms
