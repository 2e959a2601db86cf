#include "county/staff/staff_server.hpp"

#include "county/office/county_tls.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

namespace minsheng::staff {

namespace {

class HttpsStaffTransport final : public StaffTransport {
public:
    HttpsStaffTransport(sync::HttpsEndpoint endpoint, std::string url, std::string bearer)
        : m_client(std::move(endpoint), clientOptions()), m_url(std::move(url)),
          m_bearer(std::move(bearer)) {}
    ~HttpsStaffTransport() override {
        m_client.close();
        sodium_memzero(m_bearer.data(), m_bearer.size());
    }

    Result<sync::HttpResponse, sync::NetError>
    request(std::string_view method, std::string_view target, std::string_view body) override {
        return m_client.request(method, target, body, {{"Authorization", m_bearer}});
    }
    std::string describe() const override { return m_url; }

private:
    static sync::HttpsClientOptions clientOptions() {
        sync::HttpsClientOptions o;
        o.stepTimeout = std::chrono::milliseconds(15000);
        o.maxBodyBytes = 64u << 20; // a page of 500 envelopes of up to ~1 MiB each is capped
        return o;                   // by the server's own limits; this bounds our memory
    }
    sync::HttpsClient m_client;
    std::string m_url;
    std::string m_bearer;
};

} // namespace

Result<std::unique_ptr<StaffTransport>, ServerError>
makeHttpsStaffTransport(const std::string& url, const std::filesystem::path& caFile,
                        const crypto::SecretBytes& token) {
    auto endpoint = sync::parseHttpsUrl(url, caFile);
    if (!endpoint)
        return fail(ServerError{false, "the server address \"" + url +
                                           "\" is not usable: " + endpoint.error() +
                                           " Fix [county] url in county.toml or pass --server."});
    std::error_code ec;
    if (!std::filesystem::exists(caFile, ec))
        return fail(ServerError{false, caFile.string() + " not found: the staff tool trusts only "
                                                         "the county CA made by init. Restore "
                                                         "tls/ca.pem from the county backup."});
    std::string bearer = "Bearer ";
    bearer.append(token.view());
    return std::unique_ptr<StaffTransport>(
        std::make_unique<HttpsStaffTransport>(std::move(*endpoint), url, std::move(bearer)));
}

Result<std::unique_ptr<StaffTransport>, ServerError>
connectStaffServer(const county::CountyDir& dir, const std::string& url) {
    auto token = county::readStaffToken(dir.staffTokenFile());
    if (!token)
        return fail(ServerError{false, token.error().message});
    return makeHttpsStaffTransport(url, dir.tlsCaCert(), *token);
}

std::string describeErrorAnswer(const sync::HttpResponse& response) {
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    std::string what = "HTTP " + std::to_string(response.status);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) {
        what += " " + body["error"].get<std::string>();
        if (body.contains("message") && body["message"].is_string())
            what += ": " + body["message"].get<std::string>();
    }
    return what;
}

} // namespace minsheng::staff
