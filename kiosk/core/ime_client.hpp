// The kiosk window's side of the input-method helper (ime_helper.hpp): the pinyin engine and the
// handwriting recogniser run in a process of their own, one per session, so that what librime and
// zinnia keep of a parent's words (including memory they have freed) dies with that process.
//
// Life of a helper:
//   - Started ahead of need: when the client is made and again right after every session wipe,
//     while the kiosk is idle. librime takes several hundred milliseconds to load its
//     dictionaries, far above a keystroke's budget, so a helper is never started at a keystroke
//     unless the previous one was lost. A helper that has served no request has seen nothing of
//     a parent.
//   - Ended at every session wipe (idle timeout, 重新开始, after a submission, staff mode):
//     endSession() closes the socket (the helper exits), waits briefly, then SIGKILLs and reaps
//     it. The kernel reclaims, and zeroes before reuse, every page it had.
//   - Lost mid-session (crash, timeout, malformed reply): it is killed and reaped, a fresh one is
//     started at once, and the call fails. The field keeps everything already committed (that
//     text lives in the Session, not in the helper); only the composition in progress is gone,
//     and HelperInputMethod::interrupted() tells the screen to say so.
//
// Not thread-safe: the UI thread owns it.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/ime_wire.hpp"
#include "kiosk/core/input_method.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace minsheng::kiosk {

/// A started helper: its pid and the window's end of the socket (the helper has the other).
struct ImeHelperProcess {
    pid_t pid = -1;
    int fd = -1;
};

/// Starts a helper (a seam: the window executes itself, tests fork).
using ImeHelperSpawner = std::function<Result<ImeHelperProcess, std::string>()>;

/// Executes `argv` (argv[0] an absolute path) with a fresh socket as descriptor 3, "--parent
/// <our pid>" appended, and an environment of XDG_RUNTIME_DIR and TMPDIR only.
ImeHelperSpawner execImeHelper(std::vector<std::string> argv);

enum class ImeHelperFailure {
    SpawnFailed, // the helper could not be started
    Lost,        // it died or closed its end
    Timeout,     // no reply within the deadline
    Malformed,   // a reply that does not parse or does not answer the request
};

std::string_view imeHelperFailureName(ImeHelperFailure f);

class ImeHelperClient {
public:
    struct Options {
        int readyTimeoutMs = 20000; // a helper's start-up: librime loads its dictionaries
        int replyTimeoutMs = 3000;  // one request, once the helper is ready
        int exitGraceMs = 100;      // after closing the socket, before SIGKILL
    };
    ImeHelperClient(ImeHelperSpawner spawner, Options options);
    explicit ImeHelperClient(ImeHelperSpawner spawner)
        : ImeHelperClient(std::move(spawner), Options{}) {}
    ~ImeHelperClient(); // ends the helper
    ImeHelperClient(const ImeHelperClient&) = delete;
    ImeHelperClient& operator=(const ImeHelperClient&) = delete;

    /// Waits until the helper has opened its engines and returns what it reported.
    [[nodiscard]] Result<ReadyReply, ImeHelperFailure> ready();
    /// One request, its reply. On failure the helper is ended and a fresh one started.
    [[nodiscard]] Result<ImeMessage, ImeHelperFailure> call(const ImeMessage& request);
    /// The session is over: ends the helper if it served any request, and starts a fresh one.
    void endSession();

    /// The running helper's pid (-1 when none).
    pid_t pid() const { return m_process.pid; }
    /// Helpers lost mid-session so far.
    std::uint64_t losses() const { return m_losses; }

private:
    void start();
    void stop();
    Result<ImeMessage, ImeHelperFailure> lose(ImeHelperFailure why);

    ImeHelperSpawner m_spawner;
    Options m_options;
    ImeHelperProcess m_process;
    bool m_ready = false;
    bool m_used = false; // has served a request since it started
    std::optional<ReadyReply> m_readyReply;
    std::uint64_t m_losses = 0;
};

/// The pinyin keyboard through the helper. Same behaviour as PinyinInputMethod, which runs
/// inside the helper; this object keeps only copies of the preedit and candidates for drawing,
/// wiped at every change and at reset.
class HelperInputMethod final : public InputMethod {
public:
    explicit HelperInputMethod(std::shared_ptr<ImeHelperClient> client);
    ~HelperInputMethod() override;

    std::string_view name() const override { return "pinyin"; }
    void feed(const ImeKey& key, TextTarget& target) override;
    std::string_view preedit() const override { return m_preedit; }
    std::size_t candidateCount() const override { return m_candidates.size(); }
    std::string_view candidate(std::size_t index) const override;
    void choose(std::size_t index, TextTarget& target) override;
    void commitComposition(TextTarget& target) override;
    void reset() override;
    void endSession() override;
    bool interrupted() const override { return m_interrupted; }

private:
    void exchange(const ImeMessage& request, TextTarget* target);
    void wipeCopies();

    std::shared_ptr<ImeHelperClient> m_client;
    std::string m_preedit;
    std::vector<std::string> m_candidates;
    bool m_interrupted = false;
};

/// Handwriting through the helper (ZinniaRecognizer runs inside it). releaseModel(), called at
/// every session wipe, ends the helper.
class HelperHandwritingRecognizer final : public HandwritingRecognizer {
public:
    explicit HelperHandwritingRecognizer(std::shared_ptr<ImeHelperClient> client)
        : m_client(std::move(client)) {}
    /// Empty when the helper was lost (a fresh one takes the next stroke).
    std::vector<std::string> recognize(std::span<const InkPoint> ink,
                                       std::size_t max) const override;
    void releaseModel() const override { m_client->endSession(); }

private:
    std::shared_ptr<ImeHelperClient> m_client;
};

} // namespace minsheng::kiosk
