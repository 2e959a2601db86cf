#include "kiosk/core/ime_client.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace minsheng::kiosk {

namespace {

constexpr int kHelperFd = 3; // where the helper finds its socket

} // namespace

std::string_view imeHelperFailureName(ImeHelperFailure f) {
    switch (f) {
    case ImeHelperFailure::SpawnFailed:
        return "could not be started";
    case ImeHelperFailure::Lost:
        return "was lost";
    case ImeHelperFailure::Timeout:
        return "did not answer in time";
    case ImeHelperFailure::Malformed:
        return "sent a malformed reply";
    }
    return "?";
}

ImeHelperSpawner execImeHelper(std::vector<std::string> argv) {
    return [argv = std::move(argv)]() -> Result<ImeHelperProcess, std::string> {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
            return fail(std::string("socketpair: ") + std::strerror(errno));
        std::vector<std::string> args = argv;
        args.push_back("--parent");
        args.push_back(std::to_string(::getpid()));
        std::vector<char*> cargs;
        for (auto& a : args)
            cargs.push_back(a.data());
        cargs.push_back(nullptr);
        // Only what the helper needs: where its engine may make its empty private directory.
        std::vector<std::string> env;
        for (const char* name : {"XDG_RUNTIME_DIR", "TMPDIR"})
            if (const char* v = std::getenv(name))
                env.push_back(std::string(name) + "=" + v);
        std::vector<char*> cenv;
        for (auto& e : env)
            cenv.push_back(e.data());
        cenv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, pair[1], kHelperFd); // clears FD_CLOEXEC
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        // The window blocks SIGTERM/SIGINT in every thread; the helper takes defaults.
        sigset_t none;
        sigemptyset(&none);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, cargs[0], &actions, &attr, cargs.data(), cenv.data());
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        ::close(pair[1]);
        if (rc != 0) {
            ::close(pair[0]);
            return fail(argv.front() + ": " + std::strerror(rc));
        }
        return ImeHelperProcess{pid, pair[0]};
    };
}

// ---- ImeHelperClient -----------------------------------------------------------------------

ImeHelperClient::ImeHelperClient(ImeHelperSpawner spawner, Options options)
    : m_spawner(std::move(spawner)), m_options(options) {
    start();
}

ImeHelperClient::~ImeHelperClient() {
    stop();
}

void ImeHelperClient::start() {
    stop();
    auto p = m_spawner();
    if (p)
        m_process = *p;
    m_ready = false;
    m_used = false;
}

void ImeHelperClient::stop() {
    if (m_process.fd >= 0)
        ::close(m_process.fd); // the helper reads the end of input and exits
    m_process.fd = -1;
    if (m_process.pid > 0) {
        using Clock = std::chrono::steady_clock;
        const auto deadline = Clock::now() + std::chrono::milliseconds(m_options.exitGraceMs);
        bool reaped = false;
        while (!reaped && Clock::now() < deadline) {
            const pid_t r = ::waitpid(m_process.pid, nullptr, WNOHANG);
            reaped = r == m_process.pid || (r < 0 && errno == ECHILD);
            if (!reaped)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        if (!reaped) {
            ::kill(m_process.pid, SIGKILL);
            while (::waitpid(m_process.pid, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }
    m_process.pid = -1;
    m_ready = false;
}

Result<ImeMessage, ImeHelperFailure> ImeHelperClient::lose(ImeHelperFailure why) {
    ++m_losses;
    start(); // a fresh helper, so that the next key finds one ready
    return fail(why);
}

Result<ReadyReply, ImeHelperFailure> ImeHelperClient::ready() {
    if (m_process.fd < 0)
        start();
    if (m_process.fd < 0)
        return fail(ImeHelperFailure::SpawnFailed);
    if (m_ready)
        return *m_readyReply;
    auto reply = readImeFrame(m_process.fd, m_options.readyTimeoutMs);
    ImeHelperFailure why = ImeHelperFailure::Malformed;
    if (reply) {
        if (auto* r = std::get_if<ReadyReply>(&*reply)) {
            m_ready = true;
            m_readyReply = std::move(*r);
            return *m_readyReply;
        }
        wipeImeMessage(*reply);
    } else {
        why = reply.error().kind == ImeChannelError::Kind::Timeout     ? ImeHelperFailure::Timeout
              : reply.error().kind == ImeChannelError::Kind::Malformed ? ImeHelperFailure::Malformed
                                                                       : ImeHelperFailure::Lost;
    }
    auto lost = lose(why);
    return fail(lost.error());
}

Result<ImeMessage, ImeHelperFailure> ImeHelperClient::call(const ImeMessage& request) {
    if (auto r = ready(); !r)
        return fail(r.error());
    m_used = true;
    auto frame = encodeImeMessage(request);
    const bool sent = writeImeFrame(m_process.fd, frame);
    wipeBytes(frame);
    if (!sent)
        return lose(ImeHelperFailure::Lost);
    auto reply = readImeFrame(m_process.fd, m_options.replyTimeoutMs);
    if (!reply) {
        switch (reply.error().kind) {
        case ImeChannelError::Kind::Timeout:
            return lose(ImeHelperFailure::Timeout);
        case ImeChannelError::Kind::Malformed:
            return lose(ImeHelperFailure::Malformed);
        case ImeChannelError::Kind::Closed:
        case ImeChannelError::Kind::Io:
            return lose(ImeHelperFailure::Lost);
        }
    }
    const bool isInk = std::holds_alternative<InkRequest>(request);
    const bool fits =
        isInk ? std::holds_alternative<InkReply>(*reply) : std::holds_alternative<ImeReply>(*reply);
    if (!fits) {
        wipeImeMessage(*reply);
        return lose(ImeHelperFailure::Malformed);
    }
    return std::move(reply.value());
}

void ImeHelperClient::endSession() {
    if (m_used || m_process.fd < 0)
        start();
}

// ---- HelperInputMethod ---------------------------------------------------------------------

HelperInputMethod::HelperInputMethod(std::shared_ptr<ImeHelperClient> client)
    : m_client(std::move(client)) {}

HelperInputMethod::~HelperInputMethod() {
    wipeCopies();
}

std::string_view HelperInputMethod::candidate(std::size_t index) const {
    // Never a null view: callers may hand it on as a C range (ImGui's AddText does).
    return index < m_candidates.size() ? std::string_view(m_candidates[index])
                                       : std::string_view("");
}

void HelperInputMethod::wipeCopies() {
    wipeText(m_preedit);
    for (auto& c : m_candidates)
        wipeText(c);
    m_candidates.clear();
}

void HelperInputMethod::exchange(const ImeMessage& request, TextTarget* target) {
    m_interrupted = false;
    auto reply = m_client->call(request);
    wipeCopies();
    if (!reply) {
        m_interrupted = true;
        return;
    }
    auto& r = std::get<ImeReply>(*reply);
    if (target) {
        for (const ImeEdit& e : r.edits)
            if (e.backspace)
                target->backspace();
            else
                target->insert(e.text);
    }
    m_preedit = std::move(r.preedit);
    m_candidates = std::move(r.candidates);
    wipeImeMessage(*reply);
}

void HelperInputMethod::feed(const ImeKey& key, TextTarget& target) {
    ImeMessage request = KeyRequest{key.kind, target.multiline(), std::string(key.text)};
    exchange(request, &target);
    wipeImeMessage(request);
}

void HelperInputMethod::choose(std::size_t index, TextTarget& target) {
    if (index >= m_candidates.size())
        return;
    exchange(ChooseRequest{target.multiline(), static_cast<std::uint32_t>(index)}, &target);
}

void HelperInputMethod::commitComposition(TextTarget& target) {
    if (m_preedit.empty())
        return;
    exchange(CommitRequest{target.multiline()}, &target);
}

void HelperInputMethod::reset() {
    const bool composing = !m_preedit.empty();
    wipeCopies();
    m_interrupted = false;
    if (composing)
        exchange(ResetRequest{}, nullptr);
}

void HelperInputMethod::endSession() {
    wipeCopies();
    m_interrupted = false;
    m_client->endSession();
}

// ---- HelperHandwritingRecognizer -----------------------------------------------------------

std::vector<std::string> HelperHandwritingRecognizer::recognize(std::span<const InkPoint> ink,
                                                                std::size_t max) const {
    if (ink.empty() || max == 0)
        return {};
    ImeMessage request = InkRequest{static_cast<std::uint16_t>(std::min(max, kMaxImeCandidates)),
                                    std::vector<InkPoint>(ink.begin(), ink.end())};
    auto reply = m_client->call(request);
    wipeImeMessage(request);
    if (!reply)
        return {};
    std::vector<std::string> out = std::move(std::get<InkReply>(*reply).candidates);
    wipeImeMessage(*reply);
    return out;
}

} // namespace minsheng::kiosk
