#include "county/console/web_assets.hpp"

namespace minsheng::console {

std::string_view contentTypeFor(std::string_view name) {
    const auto dot = name.rfind('.');
    const auto ext = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    if (ext == "html")
        return "text/html; charset=utf-8";
    if (ext == "js")
        return "text/javascript; charset=utf-8";
    if (ext == "css")
        return "text/css; charset=utf-8";
    if (ext == "svg")
        return "image/svg+xml";
    if (ext == "png")
        return "image/png";
    if (ext == "ico")
        return "image/x-icon";
    if (ext == "json")
        return "application/json";
    return "application/octet-stream";
}

std::optional<WebAsset> findWebAsset(std::string_view name) {
    for (const auto& f : embeddedWebFiles())
        if (name == f.name)
            return WebAsset{std::string_view(reinterpret_cast<const char*>(f.bytes), f.size),
                            contentTypeFor(name)};
    return std::nullopt;
}

} // namespace minsheng::console
