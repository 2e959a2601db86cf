#include "tests/support/protocol_vectors.hpp"

#include "tests/support/temp_dir.hpp"

#include <sstream>
#include <stdexcept>

namespace minsheng::test {

std::map<std::string, std::string> protocolVectors() {
    const std::string doc = readFile(sourceDir() / "docs/protocol.md");
    std::map<std::string, std::string> out;
    const std::string lineBlock = "\n```vectors\n";
    const auto start = doc.find(lineBlock);
    if (start == std::string::npos)
        throw std::runtime_error("docs/protocol.md has no ```vectors block");
    const auto body = start + lineBlock.size();
    std::istringstream in(doc.substr(body, doc.find("\n```", body - 1) - body + 1));
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(": ");
        if (colon != std::string::npos)
            out[line.substr(0, colon)] = line.substr(colon + 2);
    }
    const std::string named = "\n```vector ";
    for (auto at = doc.find(named); at != std::string::npos; at = doc.find(named, at + 1)) {
        const auto nameStart = at + named.size();
        const auto nameEnd = doc.find('\n', nameStart);
        const auto end = doc.find("\n```", nameEnd);
        if (nameEnd == std::string::npos || end == std::string::npos)
            throw std::runtime_error("docs/protocol.md: an unterminated ```vector block");
        out[doc.substr(nameStart, nameEnd - nameStart)] =
            doc.substr(nameEnd + 1, end + 1 - (nameEnd + 1));
    }
    return out;
}

} // namespace minsheng::test
