#include "county/office/county_tls.hpp"

#include "crypto/atomic_file.hpp"
#include "crypto/sodium.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <memory>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace minsheng::county {
namespace fs = std::filesystem;

namespace {

template <class T, void (*F)(T*)>
struct Deleter {
    void operator()(T* p) const { F(p); }
};
using PKeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Failure<TlsError> tlsError(std::string m) {
    return {TlsError{std::move(m)}};
}

std::string opensslErrors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty())
            out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

bool isIpAddress(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

bool isDnsName(const std::string& host) {
    if (host.empty() || host.size() > 253 || host.front() == '.' || host.back() == '.')
        return false;
    for (char c : host)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    return true;
}

PKeyPtr newP256Key() {
    return PKeyPtr(EVP_EC_gen("P-256"));
}

bool setRandomSerial(X509* cert) {
    std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>> bn(BN_new());
    // 127 random bits: positive, below 2^127, as RFC 5280 asks (at most 20 octets, positive).
    if (!bn || !BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY))
        return false;
    return BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) != nullptr;
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
    return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

bool setName(X509* cert, const std::string& commonName, bool issuerToo) {
    X509_NAME* name = X509_get_subject_name(cert);
    const auto* cn = reinterpret_cast<const unsigned char*>(commonName.c_str());
    const auto* org = reinterpret_cast<const unsigned char*>("Minsheng");
    if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, org, -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0))
        return false;
    return !issuerToo || X509_set_issuer_name(cert, name) == 1;
}

X509Ptr newCertificate(EVP_PKEY* subjectKey, long days) {
    X509Ptr cert(X509_new());
    if (!cert || !X509_set_version(cert.get(), 2) || !setRandomSerial(cert.get()) ||
        !X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(days), 0, nullptr) ||
        !X509_set_pubkey(cert.get(), subjectKey))
        return nullptr;
    return cert;
}

/// The whole of a small file, or nullopt.
std::optional<std::string> readSmallFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad())
        return std::nullopt;
    return text;
}

/// A TLS server certificate for `hosts` (each an IP address or a DNS name), 2 years, signed by
/// the county CA.
X509Ptr issueServerCertificate(EVP_PKEY* subjectKey, X509* ca, EVP_PKEY* caKey,
                               const std::string& commonName,
                               const std::vector<std::string>& hosts) {
    X509Ptr cert = newCertificate(subjectKey, 731);
    std::string san;
    for (const auto& h : hosts)
        san += (san.empty() ? "" : ",") + std::string(isIpAddress(h) ? "IP:" : "DNS:") + h;
    if (!cert || !setName(cert.get(), commonName.substr(0, 64), false) ||
        X509_set_issuer_name(cert.get(), X509_get_subject_name(ca)) != 1 ||
        !addExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE") ||
        !addExtension(cert.get(), ca, NID_key_usage, "critical,digitalSignature") ||
        !addExtension(cert.get(), ca, NID_ext_key_usage, "serverAuth") ||
        !addExtension(cert.get(), ca, NID_subject_alt_name, san) ||
        !addExtension(cert.get(), ca, NID_subject_key_identifier, "hash") ||
        !addExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always") ||
        !X509_sign(cert.get(), caKey, EVP_sha256()))
        return nullptr;
    return cert;
}

/// Creates `path` with `mode` and `data`; never overwrites (crypto/atomic_file.hpp).
Result<Ok, TlsError> writeNewFile(const fs::path& path, const std::string& data, mode_t mode) {
    auto written = crypto::writeFileAtomically(path, data, mode, crypto::Existing::Refuse);
    if (!written) {
        using Code = crypto::AtomicFileError::Code;
        const int e = written.error().sysErrno;
        if (written.error().code != Code::AlreadyExists && written.error().code != Code::Unwritable)
            return tlsError("cannot write " + path.string() + ": " + std::strerror(e) + ".");
        return tlsError("cannot create " + path.string() + ": " + std::strerror(e) +
                        (e == EEXIST ? " (TLS material is never overwritten)." : "."));
    }
    return Ok{};
}

std::string bioString(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::string> certPem(X509* cert) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return std::nullopt;
    return bioString(bio.get());
}

/// PKCS#8 PEM; encrypted with AES-256-CBC (PBES2, PBKDF2) when a passphrase is given. The PEM
/// text of an unencrypted key is wiped after use by the caller's SecretBytes.
std::optional<crypto::SecretBytes> keyPem(EVP_PKEY* key, const crypto::SecretBytes* passphrase) {
    BioPtr bio(BIO_new(BIO_s_secmem()));
    if (!bio)
        return std::nullopt;
    int ok = 0;
    if (passphrase)
        ok = PEM_write_bio_PKCS8PrivateKey(
            bio.get(), key, EVP_aes_256_cbc(),
            const_cast<char*>(reinterpret_cast<const char*>(passphrase->data())),
            static_cast<int>(passphrase->size()), nullptr, nullptr);
    else
        ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    if (ok != 1)
        return std::nullopt;
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    if (n <= 0)
        return std::nullopt;
    return crypto::SecretBytes::copyOf(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(n)));
}

} // namespace

Result<std::string, TlsError> hostOfHttpsUrl(const std::string& url) {
    const std::string scheme = "https://";
    if (url.rfind(scheme, 0) != 0)
        return tlsError("the county URL \"" + url + "\" must start with https://.");
    std::string rest = url.substr(scheme.size());
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (rest.find('@') != std::string::npos)
        return tlsError("the county URL \"" + url + "\" must not contain a user name.");
    std::string host;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string::npos)
            return tlsError("the county URL \"" + url + "\" has an unclosed [IPv6] address.");
        host = rest.substr(1, close - 1);
    } else {
        host = rest.substr(0, rest.find(':'));
    }
    if (!isIpAddress(host) && !isDnsName(host))
        return tlsError("the county URL \"" + url +
                        "\" does not name a host (a DNS name or an IP address).");
    return host;
}

Result<Ok, TlsError> createCountyTls(const fs::path& tlsDir, const std::string& countyUrl,
                                     const std::string& countyName,
                                     const crypto::SecretBytes* caKeyPassphrase) {
    auto host = hostOfHttpsUrl(countyUrl);
    if (!host)
        return fail(host.error());
    std::error_code ec;
    fs::create_directories(tlsDir, ec);
    if (ec)
        return tlsError("cannot create " + tlsDir.string() + ": " + ec.message() + ".");
    fs::permissions(tlsDir, fs::perms::owner_all, fs::perm_options::replace, ec);
    for (const char* f : {"ca.pem", "ca.key", "server.pem", "server.key"})
        if (fs::exists(tlsDir / f, ec))
            return tlsError((tlsDir / f).string() +
                            " already exists; TLS material is never overwritten.");

    // The county CA.
    PKeyPtr caKey = newP256Key();
    if (!caKey)
        return tlsError("cannot generate the county CA key: " + opensslErrors());
    X509Ptr ca = newCertificate(caKey.get(), 3653);
    std::string caName = "Minsheng county CA";
    if (!countyName.empty()) {
        // CN is at most 64 characters: keep at most 40 bytes, cut at a UTF-8 boundary.
        std::size_t n = std::min<std::size_t>(countyName.size(), 40);
        while (n > 0 && n < countyName.size() &&
               (static_cast<unsigned char>(countyName[n]) & 0xC0) == 0x80)
            --n;
        caName += " - " + countyName.substr(0, n);
    }
    if (!ca || !setName(ca.get(), caName, true) ||
        !addExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
        !addExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
        !addExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
        !X509_sign(ca.get(), caKey.get(), EVP_sha256()))
        return tlsError("cannot make the county CA certificate: " + opensslErrors());

    // The server certificate, for the host kiosks are provisioned with.
    PKeyPtr serverKey = newP256Key();
    if (!serverKey)
        return tlsError("cannot generate the server key: " + opensslErrors());
    X509Ptr server = issueServerCertificate(serverKey.get(), ca.get(), caKey.get(), *host, {*host});
    if (!server)
        return tlsError("cannot make the server certificate: " + opensslErrors());

    auto caPem = certPem(ca.get());
    auto serverPem = certPem(server.get());
    auto caKeyPem = keyPem(caKey.get(), caKeyPassphrase);
    auto serverKeyPem = keyPem(serverKey.get(), nullptr);
    if (!caPem || !serverPem || !caKeyPem || !serverKeyPem)
        return tlsError("cannot encode the TLS material: " + opensslErrors());
    // Keys first: a certificate without its key would be useless, a key without a certificate
    // is only an unused file.
    for (auto r : {writeNewFile(tlsDir / "ca.key", std::string(caKeyPem->view()), 0600),
                   writeNewFile(tlsDir / "server.key", std::string(serverKeyPem->view()), 0600),
                   writeNewFile(tlsDir / "ca.pem", *caPem, 0600),
                   writeNewFile(tlsDir / "server.pem", *serverPem, 0600)})
        if (!r)
            return r;
    return Ok{};
}

Result<Ok, TlsError> createConsoleTls(const fs::path& tlsDir, const std::vector<std::string>& hosts,
                                      const crypto::SecretBytes* caKeyPassphrase) {
    for (const auto& h : hosts)
        if (!isIpAddress(h) && !isDnsName(h))
            return tlsError("\"" + h + "\" is neither an IP address nor a host name.");
    if (hosts.empty())
        return tlsError("the console certificate needs at least one host.");
    const fs::path caFile = tlsDir / "ca.pem", caKeyFile = tlsDir / "ca.key";
    auto caText = readSmallFile(caFile);
    auto caKeyText = readSmallFile(caKeyFile);
    if (!caText || !caKeyText)
        return tlsError("cannot read " + (caText ? caKeyFile : caFile).string() +
                        "; the county CA made by `init` is needed to certify the console.");
    BioPtr caBio(BIO_new_mem_buf(caText->data(), static_cast<int>(caText->size())));
    X509Ptr ca(caBio ? PEM_read_bio_X509(caBio.get(), nullptr, nullptr, nullptr) : nullptr);
    auto keyText = crypto::SecretBytes::copyOf(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(caKeyText->data()), caKeyText->size()));
    sodium_memzero(caKeyText->data(), caKeyText->size());
    BioPtr keyBio(BIO_new_mem_buf(keyText.data(), static_cast<int>(keyText.size())));
    PKeyPtr caKey(keyBio ? PEM_read_bio_PrivateKey(
                               keyBio.get(), nullptr, nullptr,
                               caKeyPassphrase ? const_cast<char*>(reinterpret_cast<const char*>(
                                                     caKeyPassphrase->data()))
                                               : const_cast<char*>(""))
                         : nullptr);
    if (!ca || !caKey)
        return tlsError("cannot read the county CA from " + tlsDir.string() +
                        " (wrong passphrase, or a damaged ca.pem / ca.key): " + opensslErrors());
    PKeyPtr key = newP256Key();
    if (!key)
        return tlsError("cannot generate the console key: " + opensslErrors());
    X509Ptr cert = issueServerCertificate(key.get(), ca.get(), caKey.get(), hosts.front(), hosts);
    auto pem = cert ? certPem(cert.get()) : std::nullopt;
    auto keyPemText = keyPem(key.get(), nullptr);
    if (!pem || !keyPemText)
        return tlsError("cannot make the console certificate: " + opensslErrors());
    if (auto r = writeNewFile(tlsDir / "console.key", std::string(keyPemText->view()), 0600); !r)
        return r;
    return writeNewFile(tlsDir / "console.pem", *pem, 0600);
}

Result<Ok, TlsError> createStaffToken(const fs::path& file) {
    std::array<std::uint8_t, 32> raw{};
    randombytes_buf(raw.data(), raw.size());
    crypto::SecretBytes hex(raw.size() * 2 + 2);
    sodium_bin2hex(reinterpret_cast<char*>(hex.data()), hex.size(), raw.data(), raw.size());
    sodium_memzero(raw.data(), raw.size());
    hex.data()[64] = '\n';
    hex.truncate(65);
    return writeNewFile(file, std::string(hex.view()), 0600);
}

Result<crypto::SecretBytes, TlsError> readStaffToken(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        return tlsError(file.string() + " not found: staff endpoints are disabled. A county made "
                                        "by `minsheng-county init` has one.");
    if ((st.st_mode & 077) != 0)
        return tlsError(file.string() + ": readable by group or others; run: chmod 600 " +
                        file.string());
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tlsError("cannot read " + file.string() + ": " + std::strerror(errno) + ".");
    crypto::SecretBytes buf(128);
    ssize_t n = ::read(fd, buf.data(), buf.size());
    ::close(fd);
    std::size_t len = n > 0 ? static_cast<std::size_t>(n) : 0;
    while (len > 0 && (buf.data()[len - 1] == '\n' || buf.data()[len - 1] == '\r' ||
                       buf.data()[len - 1] == ' '))
        --len;
    buf.truncate(len);
    bool hex = len == 64;
    for (std::size_t i = 0; hex && i < len; ++i) {
        const char c = static_cast<char>(buf.data()[i]);
        hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
    if (!hex)
        return tlsError(file.string() + " must hold 64 lower-case hex digits.");
    return buf;
}

} // namespace minsheng::county
