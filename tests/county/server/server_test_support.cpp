#include "tests/county/server/server_test_support.hpp"

#include "county/office/county_dir.hpp"
#include "county/office/provisioning.hpp"
#include "crypto/key_file.hpp"
#include "sync/wire/envelope_json.hpp"
#include "sync/wire/minute_time.hpp"
#include "tests/support/run_process.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <regex>
#include <sodium.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace minsheng::test {
namespace fs = std::filesystem;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

TestCounty::TestCounty(const fs::path& root, std::vector<std::string> kioskIds)
    : dir(root / "county") {
    county::InitOptions o;
    o.formsSource = *county::defaultFormsDir();
    o.demo = true; // kiosks provisioned with the shipped example lists
    county::CountyDir cd(dir);
    if (auto r = county::initCountyDir(cd, o); !r)
        throw std::runtime_error(r.error().message);
    for (const auto& id : kioskIds) {
        county::ProvisionRequest req{id, "测试机 " + id, "", root / id};
        if (auto r = county::provisionKiosk(cd, req); !r)
            throw std::runtime_error(r.error().message);
    }
    auto pub =
        crypto::readEd25519PublicKey(cd.signingPublicKey(), crypto::KeyKind::CountySigningPublic);
    if (!pub)
        throw std::runtime_error(pub.error().message);
    signingPublic = *pub;
    staffToken = readFile(cd.staffTokenFile());
    while (!staffToken.empty() && staffToken.back() == '\n')
        staffToken.pop_back();
}

crypto::Ed25519SecretKey TestCounty::signingSecret() const {
    auto k = crypto::readEd25519SecretKey(dir / "keys" / "county-signing.key",
                                          crypto::KeyKind::CountySigningSecret);
    if (!k)
        throw std::runtime_error(k.error().message);
    return std::move(*k);
}

namespace {

crypto::Ed25519SecretKey kioskKey(const TestCounty& county, const std::string& id) {
    auto k = crypto::readEd25519SecretKey(county.dir / ".." / id / "keys" / "kiosk-signing.key",
                                          crypto::KeyKind::KioskSigningSecret);
    if (!k)
        throw std::runtime_error(k.error().message);
    return std::move(*k);
}

crypto::X25519PublicKey countySealing(const TestCounty& county) {
    auto k = crypto::readX25519PublicKey(county.dir / "keys" / "county-sealing.pub");
    if (!k)
        throw std::runtime_error(k.error().message);
    return *k;
}

} // namespace

TestKiosk::TestKiosk(const TestCounty& county, const std::string& id)
    : m_id(id), m_key(kioskKey(county, id)), m_county(countySealing(county)) {}

crypto::Envelope TestKiosk::make(std::uint64_t seq, const crypto::Hash256& prev,
                                 crypto::EnvelopeKind kind, std::size_t payloadBytes) const {
    crypto::EnvelopeHeader h;
    h.kind = kind;
    h.kioskId = m_id;
    h.sequence = seq;
    h.previousHash = prev;
    h.createdAt = sync::nowMinute();
    h.formId = kind == crypto::EnvelopeKind::Complaint ? "complaint" : "survey";
    h.countyKeyId = m_county.id();
    if (kind == crypto::EnvelopeKind::Complaint) {
        crypto::Hash256 tag{};
        randombytes_buf(tag.data(), tag.size());
        h.receiptTag = tag;
    }
    const std::string payload(payloadBytes, 'x');
    return crypto::signEnvelope(
        std::move(h), crypto::sealPayloadX25519(m_county, crypto::asBytes(payload)), m_key);
}

crypto::Envelope TestKiosk::nextVersion1(crypto::EnvelopeKind kind, std::int64_t createdAt,
                                         const std::string& payload) {
    auto h = make(m_seq + 1, m_last, kind).header;
    h.createdAt = createdAt;
    auto e = crypto::signEnvelope(
        std::move(h), crypto::sealPayloadX25519(m_county, crypto::asBytes(payload)), m_key);
    m_seq += 1;
    m_last = crypto::envelopeHash(e);
    return e;
}

crypto::Envelope TestKiosk::nextVersion2(crypto::EnvelopeKind kind, const std::string& payload,
                                         std::optional<crypto::Hash256> complaintTag) {
    crypto::EnvelopeHeader h;
    h.version = crypto::kEnvelopeVersion;
    h.kioskId = m_id;
    h.sequence = m_seq + 1;
    h.previousHash = m_last;
    h.countyKeyId = m_county.id();
    crypto::Hash256 tag{};
    randombytes_buf(tag.data(), tag.size());
    h.receiptTag = kind == crypto::EnvelopeKind::Complaint && complaintTag ? *complaintTag : tag;
    auto e = crypto::signEnvelope(
        std::move(h), crypto::sealEnvelopeContentsX25519(m_county, kind, crypto::asBytes(payload)),
        m_key);
    m_seq += 1;
    m_last = crypto::envelopeHash(e);
    return e;
}

crypto::Envelope TestKiosk::nextWithPayload(crypto::EnvelopeKind kind, const std::string& payload) {
    auto e = make(m_seq + 1, m_last, kind);
    e = crypto::signEnvelope(std::move(e.header),
                             crypto::sealPayloadX25519(m_county, crypto::asBytes(payload)), m_key);
    m_seq += 1;
    m_last = crypto::envelopeHash(e);
    return e;
}

crypto::Envelope TestKiosk::next(crypto::EnvelopeKind kind) {
    auto e = make(m_seq + 1, m_last, kind);
    m_seq += 1;
    m_last = crypto::envelopeHash(e);
    return e;
}

crypto::Heartbeat TestKiosk::heartbeat() const {
    crypto::Heartbeat hb;
    hb.kioskId = m_id;
    hb.lastSequence = m_seq;
    hb.lastHash = m_last;
    hb.queueLength = 2;
    hb.freeDiskBytes = 1u << 30;
    hb.sentAt = sync::nowMinute();
    hb.version = "0.1.0";
    return crypto::signHeartbeat(std::move(hb), m_key);
}

std::string batchJson(const std::vector<crypto::Envelope>& envelopes) {
    std::string out = "{\"v\":1,\"envelopes\":[";
    for (std::size_t i = 0; i < envelopes.size(); ++i)
        out += (i ? "," : "") + sync::envelopeToJson(envelopes[i]);
    return out + "]}";
}

// ---- ServerProcess ---------------------------------------------------------------------------

ServerProcess::ServerProcess(const fs::path& countyDir, const fs::path& logFile,
                             std::vector<std::string> extraArgs,
                             std::optional<unsigned> openFileLimit)
    : m_logFile(logFile) {
    std::vector<std::string> args{binary("minsheng-county").string(),
                                  "serve",
                                  "--dir",
                                  countyDir.string(),
                                  "--listen",
                                  "127.0.0.1:0"};
    args.insert(args.end(), extraArgs.begin(), extraArgs.end());
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const int fd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot create " + logFile.string());
    m_pid = ::fork();
    if (m_pid == 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        const int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        if (openFileLimit) {
            rlimit lim{*openFileLimit, *openFileLimit};
            ::setrlimit(RLIMIT_NOFILE, &lim);
        }
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(fd);
    if (m_pid < 0)
        throw std::runtime_error("fork failed");
    // Wait for the ready line (sanitizer builds start slowly).
    const std::regex ready("listening on https://127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::smatch m;
        const std::string text = log();
        if (std::regex_search(text, m, ready)) {
            m_port = static_cast<unsigned short>(std::stoi(m[1]));
            return;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            throw std::runtime_error("minsheng-county serve exited before it was ready:\n" + text);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("minsheng-county serve did not get ready:\n" + log());
}

ServerProcess::~ServerProcess() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
}

std::string ServerProcess::log() const {
    try {
        return readFile(m_logFile);
    } catch (const std::exception&) {
        return {};
    }
}

void ServerProcess::signalTerm() {
    if (m_pid > 0)
        ::kill(m_pid, SIGTERM);
}

void ServerProcess::signalKill() {
    if (m_pid > 0)
        ::kill(m_pid, SIGKILL);
}

int ServerProcess::wait(int seconds) {
    if (m_pid <= 0)
        return -1;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1000; // still running
}

int ServerProcess::stop(int seconds) {
    signalTerm();
    return wait(seconds);
}

// ---- TestClient ------------------------------------------------------------------------------

struct TestClient::Impl {
    unsigned short port;
    net::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    std::unique_ptr<beast::ssl_stream<tcp::socket>> stream;
    beast::flat_buffer buffer;
};

TestClient::TestClient(unsigned short port, const fs::path& caFile)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->port = port;
    m_impl->ctx.set_verify_mode(ssl::verify_peer);
    m_impl->ctx.load_verify_file(caFile.string()); // the one trust anchor
}

TestClient::~TestClient() = default;

std::optional<std::string> TestClient::connect() {
    auto& s = m_impl->stream;
    s = std::make_unique<beast::ssl_stream<tcp::socket>>(m_impl->ioc, m_impl->ctx);
    X509_VERIFY_PARAM* param = SSL_get0_param(s->native_handle());
    X509_VERIFY_PARAM_set1_ip_asc(param, "127.0.0.1");
    beast::error_code ec;
    s->next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), m_impl->port), ec);
    if (!ec)
        s->next_layer().set_option(tcp::no_delay(true), ec);
    if (!ec)
        s->handshake(ssl::stream_base::client, ec);
    if (ec) {
        s.reset();
        return ec.message();
    }
    m_impl->buffer.clear();
    return std::nullopt;
}

void TestClient::offerGroups(const std::string& groups) {
    if (SSL_CTX_set1_groups_list(m_impl->ctx.native_handle(), groups.c_str()) != 1)
        throw std::runtime_error("OpenSSL does not know the groups " + groups);
}

void TestClient::writeRaw(const std::string& bytes) {
    if (!m_impl->stream)
        if (auto e = connect())
            throw std::runtime_error("connect: " + *e);
    net::write(*m_impl->stream, net::buffer(bytes));
}

Reply TestClient::readReply() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(*m_impl->stream, m_impl->buffer, parser);
    auto res = parser.release();
    Reply r;
    r.status = res.result_int();
    r.body = res.body();
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive())
        m_impl->stream.reset();
    return r;
}

Reply TestClient::request(const std::string& method, const std::string& target,
                          const std::string& body, const std::string& contentType,
                          const std::map<std::string, std::string>& headers) {
    if (!m_impl->stream)
        if (auto e = connect())
            throw std::runtime_error("connect: " + *e);
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!contentType.empty() && (method == "POST" || method == "PUT"))
        req.set(http::field::content_type, contentType);
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(*m_impl->stream, req);
    return readReply();
}

bool tcpConnects(unsigned short port) {
    net::io_context ioc;
    tcp::socket s(ioc);
    beast::error_code ec;
    s.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
    return !ec;
}

} // namespace minsheng::test
