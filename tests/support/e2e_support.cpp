#include "tests/support/e2e_support.hpp"

#include "crypto/secret_arena.hpp"
#include "kiosk/core/submission_desk.hpp"
#include "sync/forms/form_description.hpp"
#include "sync/forms/validation.hpp"
#include "sync/net/https_client.hpp"
#include "tests/support/run_process.hpp"

#include <csignal>
#include <fcntl.h>
#include <regex>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace minsheng::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

// ---- Child -----------------------------------------------------------------------------------

Child::Child(const fs::path& program, const std::vector<std::string>& args, const fs::path& out,
             const fs::path& err)
    : m_out(out), m_err(err) {
    std::vector<std::string> strings{program.string()};
    strings.insert(strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : strings)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    m_pid = ::fork();
    if (m_pid < 0)
        throw std::runtime_error("fork failed");
    if (m_pid == 0) {
        // Dies with the test: a crashed test must not leave a server running.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ::dup2(o, 1);
        ::dup2(e, 2);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        // The parent may have blocked signals in some thread; start clean.
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
}

Child::~Child() {
    if (!m_reaped) {
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &m_status, 0);
    }
}

void Child::signal(int sig) {
    if (!m_reaped)
        ::kill(m_pid, sig);
}

bool Child::running() {
    if (m_reaped)
        return false;
    if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid)
        m_reaped = true;
    return !m_reaped;
}

std::optional<int> Child::wait(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (running()) {
        if (std::chrono::steady_clock::now() > end)
            return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
    return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
}

std::string Child::out() const {
    std::error_code ec;
    return fs::exists(m_out, ec) ? readFile(m_out) : std::string();
}
std::string Child::err() const {
    std::error_code ec;
    return fs::exists(m_err, ec) ? readFile(m_err) : std::string();
}

// ---- CountyServer ----------------------------------------------------------------------------

CountyServer::CountyServer(fs::path countyDir, fs::path logDir, std::vector<std::string> extra)
    : m_dir(std::move(countyDir)), m_logDir(std::move(logDir)), m_extraArgs(std::move(extra)) {}

CountyServer::~CountyServer() {
    if (m_child)
        kill();
}

std::uint16_t CountyServer::start() {
    if (m_child)
        throw std::logic_error("server already running");
    ++m_starts;
    const auto out = m_logDir / ("serve-" + std::to_string(m_starts) + ".out");
    const auto err = m_logDir / ("serve-" + std::to_string(m_starts) + ".err");
    // After a SIGKILL the port may be briefly unavailable; try a few times.
    for (int attempt = 0; attempt < 50; ++attempt) {
        std::vector<std::string> args{
            "serve",     "--dir", m_dir.string(), "--listen", "127.0.0.1:" + std::to_string(m_port),
            "--threads", "2"};
        args.insert(args.end(), m_extraArgs.begin(), m_extraArgs.end());
        m_child = std::make_unique<Child>(binary("minsheng-county"), args, out, err);
        const auto end = std::chrono::steady_clock::now() + 60s;
        static const std::regex ready(R"(listening on https://127\.0\.0\.1:(\d+))");
        while (std::chrono::steady_clock::now() < end) {
            std::smatch m;
            const std::string text = m_child->out();
            if (std::regex_search(text, m, ready)) {
                m_port = static_cast<std::uint16_t>(std::stoi(m[1]));
                return m_port;
            }
            if (!m_child->running())
                break;
            std::this_thread::sleep_for(5ms);
        }
        const std::string why = m_child->err();
        m_child.reset();
        if (why.find("in use") == std::string::npos)
            throw std::runtime_error("minsheng-county serve did not start: " + why);
        std::this_thread::sleep_for(100ms);
    }
    throw std::runtime_error("minsheng-county serve: port stays in use");
}

void CountyServer::kill() {
    if (!m_child)
        return;
    m_child->signal(SIGKILL);
    (void)m_child->wait(30s);
    m_child.reset();
}

void CountyServer::stop() {
    if (!m_child)
        return;
    m_child->signal(SIGTERM);
    if (!m_child->wait(30s))
        m_child->signal(SIGKILL);
    m_child.reset();
}

// ---- E2eSite ---------------------------------------------------------------------------------

E2eSite::E2eSite() {
    auto r = runProcess(binary("minsheng-county"),
                        {"init", "--dir", county.string(), "--no-passphrase", "--demo", "--url",
                         "https://127.0.0.1:8443", "--name", "E2E test county"});
    if (r.exitCode != 0)
        throw std::runtime_error("county init failed: " + r.err);
    r = runProcess(binary("minsheng-county"),
                   {"provision", "--dir", county.string(), "--kiosk-id", kioskId, "--name",
                    "端到端测试机", "--out", bundle.string()});
    if (r.exitCode != 0)
        throw std::runtime_error("provision failed: " + r.err);
}

void E2eSite::pointKioskAt(std::uint16_t port) {
    std::string text = readFile(config);
    static const std::regex url(R"(\nurl = "https://[^"]*")");
    text =
        std::regex_replace(text, url, "\nurl = \"https://127.0.0.1:" + std::to_string(port) + "\"");
    if (text.find("\n[sync]") == std::string::npos)
        text += "\n[sync]\nupload_delay_minutes = 0\n";
    writeFile(config, text);
}

void E2eSite::submitMany(int n) {
    auto config = kiosk::loadKioskConfig(this->config);
    if (!config)
        throw std::runtime_error(config.error().toString());
    auto desk = kiosk::SubmissionDesk::open(*config);
    if (!desk)
        throw std::runtime_error(desk.error().message);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    // The example answers take a few KiB; an arena of the default 4 MiB per submission would
    // spend most of a large backlog's set-up allocating, filling and wiping guarded memory.
    constexpr std::size_t kExampleAnswersArena = 256u << 10;
    for (int i = 0; i < n; ++i) {
        const kiosk::Form* form = desk->form(i % 2 == 0 ? "complaint" : "survey");
        const std::string text = kiosk::exampleAnswers(*form, desk->forms().lists).dump();
        crypto::SecretArena arena(kExampleAnswersArena);
        auto answers = kiosk::parseAnswersJson(*form, text, &arena);
        if (!answers)
            throw std::runtime_error("example answers do not parse");
        auto receipt = desk->submit(*form, *answers, "zh-CN", now);
        if (!receipt)
            throw std::runtime_error("submit failed");
    }
}

outbox::OutboxStats E2eSite::outboxStats() {
    auto config = kiosk::loadKioskConfig(this->config);
    outbox::OpenOptions o;
    o.quickCheckOnOpen = false;
    auto box = kiosk::openKioskOutbox(*config, o);
    if (!box)
        throw std::runtime_error(box.error().message);
    auto st = box->stats();
    if (!st)
        throw std::runtime_error(st.error().message);
    return *st;
}

std::vector<outbox::StoredEnvelope> E2eSite::allEnvelopes() {
    auto config = kiosk::loadKioskConfig(this->config);
    auto box = kiosk::openKioskOutbox(*config);
    if (!box)
        throw std::runtime_error(box.error().message);
    auto all = box->allEnvelopes();
    if (!all)
        throw std::runtime_error(all.error().message);
    return std::move(all.value());
}

std::vector<json> E2eSite::serverEnvelopes(std::uint16_t port) {
    std::string token = readFile(county / "keys" / "staff.token");
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
        token.pop_back();
    sync::HttpsClient client(
        sync::HttpsEndpoint{"127.0.0.1", std::to_string(port), county / "tls" / "ca.pem"});
    std::vector<json> items;
    std::uint64_t cursor = 0;
    for (;;) {
        auto r = client.request(
            "GET", "/v1/staff/envelopes?after=" + std::to_string(cursor) + "&limit=500", {},
            {{"Authorization", "Bearer " + token}});
        if (!r || r->status != 200)
            throw std::runtime_error(
                "staff pull failed: " +
                (r ? std::to_string(r->status) + " " + r->body : r.error().message));
        json page = json::parse(r->body);
        if (page["items"].empty())
            break;
        for (auto& item : page["items"])
            items.push_back(item);
        cursor = page["next"].get<std::uint64_t>();
    }
    return items;
}

std::string socketRequest(const fs::path& socket, const std::string& line) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", socket.c_str());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return {};
    }
    timeval tv{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string out = line + "\n";
    (void)!::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    std::string in;
    char c;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n')
        in += c;
    ::close(fd);
    return in;
}

int envInt(const char* name, int fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        return fallback;
    return std::atoi(v);
}

} // namespace minsheng::test
