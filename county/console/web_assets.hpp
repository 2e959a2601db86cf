// The office console's pages: every file of county/console/web, embedded in the binary at build
// time (embed_web_assets.cmake), served at /static/<name> and index.html at /.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace minsheng::console {

struct EmbeddedFile {
    const char* name; // the file name in county/console/web
    const unsigned char* bytes;
    std::size_t size;
};

/// Every embedded file (generated).
const std::vector<EmbeddedFile>& embeddedWebFiles();

struct WebAsset {
    std::string_view bytes;
    std::string_view contentType; // from the name's extension
};

/// The file called `name` (no folders), or nullopt.
std::optional<WebAsset> findWebAsset(std::string_view name);

/// The Content-Type for a file name's extension; application/octet-stream when unknown.
std::string_view contentTypeFor(std::string_view name);

} // namespace minsheng::console
