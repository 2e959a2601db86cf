// Test-only helpers for the intake server: a county with provisioned kiosks, a kiosk that makes
// signed chained envelopes, the real `minsheng-county serve` as a child process, and a minimal
// blocking HTTPS client (Beast) that trusts exactly one CA. Not a general client library: the
// kiosk and staff tool use sync/net/https_client.hpp.
#pragma once

#include "crypto/envelope.hpp"
#include "crypto/keys.hpp"
#include "crypto/signed_messages.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace minsheng::test {

/// A county folder (init --no-passphrase) with kiosks provisioned through the library.
struct TestCounty {
    explicit TestCounty(const std::filesystem::path& root, std::vector<std::string> kioskIds);
    std::filesystem::path dir;
    std::filesystem::path bundle(const std::string& kioskId) const { return dir / ".." / kioskId; }
    crypto::Ed25519PublicKey signingPublic;
    crypto::Ed25519SecretKey signingSecret() const; // staff tool's key, for PUT status
    std::string staffToken;
    std::filesystem::path caFile() const { return dir / "tls" / "ca.pem"; }
};

/// A kiosk that signs and chains envelopes with the key from its bundle.
class TestKiosk {
public:
    TestKiosk(const TestCounty& county, const std::string& id);
    /// The next envelope of the chain (complaints get a random receipt tag).
    crypto::Envelope next(crypto::EnvelopeKind kind = crypto::EnvelopeKind::Survey);
    /// An envelope with the given sequence and previous hash (chain not advanced).
    crypto::Envelope make(std::uint64_t seq, const crypto::Hash256& prev,
                          crypto::EnvelopeKind kind = crypto::EnvelopeKind::Survey,
                          std::size_t payloadBytes = 100) const;
    /// The next envelope of the chain, sealing exactly `payload` (any bytes: a hostile kiosk's).
    crypto::Envelope nextWithPayload(crypto::EnvelopeKind kind, const std::string& payload);
    /// The next envelope as a kiosk of the previous release made it: version 1, kind, form and
    /// `createdAt` in the clear header, sealing exactly `payload`.
    crypto::Envelope nextVersion1(crypto::EnvelopeKind kind, std::int64_t createdAt,
                                  const std::string& payload);
    /// The next envelope as the kiosk makes it now: version 2, `kind` sealed before `payload`,
    /// a random receipt tag for a survey (and a given one for a complaint, when set).
    crypto::Envelope nextVersion2(crypto::EnvelopeKind kind, const std::string& payload,
                                  std::optional<crypto::Hash256> complaintTag = std::nullopt);
    crypto::Heartbeat heartbeat() const;
    const std::string& id() const { return m_id; }
    const crypto::Ed25519SecretKey& key() const { return m_key; }

private:
    std::string m_id;
    crypto::Ed25519SecretKey m_key;
    crypto::X25519PublicKey m_county;
    std::uint64_t m_seq = 0;
    crypto::Hash256 m_last{};
};

/// {"v":1,"envelopes":[...]}
std::string batchJson(const std::vector<crypto::Envelope>& envelopes);

/// The real server binary, started on 127.0.0.1 with a free port; stdout+stderr go to a file.
class ServerProcess {
public:
    /// `openFileLimit`: RLIMIT_NOFILE for the server (to reproduce running out of descriptors).
    ServerProcess(const std::filesystem::path& countyDir, const std::filesystem::path& logFile,
                  std::vector<std::string> extraArgs = {},
                  std::optional<unsigned> openFileLimit = std::nullopt);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    unsigned short port() const { return m_port; }
    /// SIGTERM, then waits (up to `seconds`). Exit code, or -signal when killed by one.
    int stop(int seconds = 30);
    void signalTerm();
    /// SIGKILL: the server stops between any two instructions (a crash or power cut).
    void signalKill();
    int wait(int seconds = 30);
    std::string log() const;

private:
    pid_t m_pid = -1;
    unsigned short m_port = 0;
    std::filesystem::path m_logFile;
};

struct Reply {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // lower-case names
};

/// Blocking HTTPS/1.1 over one kept-alive connection; verifies the server against `caFile`
/// and the IP address 127.0.0.1.
class TestClient {
public:
    TestClient(unsigned short port, const std::filesystem::path& caFile);
    ~TestClient();
    /// Connects and handshakes; the error message when that fails.
    std::optional<std::string> connect();
    /// Connects on first use. Throws std::runtime_error on a transport error.
    Reply request(const std::string& method, const std::string& target,
                  const std::string& body = {}, const std::string& contentType = "application/json",
                  const std::map<std::string, std::string>& headers = {});
    /// Offers only these TLS key exchange groups (OpenSSL names, e.g. "ffdhe8192"); call
    /// before connect().
    void offerGroups(const std::string& groups);
    /// Writes raw bytes on the connection (connects first if needed).
    void writeRaw(const std::string& bytes);
    /// Reads one response from the connection.
    Reply readReply();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// Connects to 127.0.0.1:port with a plain TCP socket; true when the connection is accepted.
bool tcpConnects(unsigned short port);

} // namespace minsheng::test
