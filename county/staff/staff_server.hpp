// The staff tool's view of the intake server: the three staff endpoints of docs/protocol.md
// section 9, over a small transport seam so tests can put a fault or a fake server behind it.
//
// The staff tool trusts the server with nothing: every envelope it pulls is verified again
// (intake.hpp) and every acknowledgement's county signature is checked. What the server can do
// is withhold envelopes; the chain and the kiosks' heartbeats make that visible.
#pragma once

#include "county/office/county_dir.hpp"
#include "crypto/result.hpp"
#include "crypto/secret_bytes.hpp"
#include "sync/net/https_client.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace minsheng::staff {

/// One HTTP exchange with the county server, authenticated as staff.
class StaffTransport {
public:
    virtual ~StaffTransport() = default;
    [[nodiscard]] virtual Result<sync::HttpResponse, sync::NetError>
    request(std::string_view method, std::string_view target, std::string_view body) = 0;
    /// "https://host:port", for messages.
    virtual std::string describe() const = 0;
};

struct ServerError {
    bool unreachable = false; // the network or TLS failed (as opposed to an answer we refuse)
    std::string message;
};

/// HTTPS to `url` trusting only `caFile`, with `Authorization: Bearer <token>` on every request.
[[nodiscard]] Result<std::unique_ptr<StaffTransport>, ServerError>
makeHttpsStaffTransport(const std::string& url, const std::filesystem::path& caFile,
                        const crypto::SecretBytes& token);

/// HTTPS to `url` (the county's intake server) as the office's staff: the staff token of DIR
/// (keys/staff.token) and only the county CA of DIR (tls/ca.pem) trusted.
[[nodiscard]] Result<std::unique_ptr<StaffTransport>, ServerError>
connectStaffServer(const county::CountyDir& dir, const std::string& url);

/// The `message` of a protocol error body ({"error","message"}), or the status line.
std::string describeErrorAnswer(const sync::HttpResponse& response);

} // namespace minsheng::staff
