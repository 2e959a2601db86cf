// ForwarderClient: the kiosk UI's only line to the outside world, and it is not a network one.
//
// The UI process never opens a network connection (docs/architecture.md). To look up a case it
// asks the forwarder process over a local Unix stream socket, <data_dir>/forwarder.sock, one
// JSON object per line each way (docs/protocol.md section 11; the lines are written and read by
// sync/wire/status_socket.hpp):
//
//   → {"op":"status","tag":"<64 hex receipt tag>"}
//   ← {"ok":true,"status":"received|accepted|in_progress|closed|transferred|not_accepted",
//      "received_at":<unix>,"updated_at":<unix>,"reply":"text or empty","verified":true}
//   ← {"ok":false,"error":"offline|not-found|unavailable","message":"..."}
//   → {"op":"sync-now"}                  ← {"ok":true} or {"ok":false,...}
//
// Requests run on one worker thread with a deadline for the whole exchange, so a hung forwarder
// can never freeze the screen. Results are queued; the UI thread takes them with
// takeResponse(). The worker calls `wake` after queuing one (the window's glfwPostEmptyEvent);
// it never touches UI state itself.
//
// Every failure is a typed outcome: no socket or a refused connection is Offline (the
// forwarder is not running, so the county cannot be reached); a deadline, a malformed or
// unverified answer is Unavailable. The message from the forwarder is never shown to parents.
#pragma once

#include "crypto/signed_messages.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace minsheng::kiosk {

// The statuses and their wire names are the protocol's (crypto/signed_messages.hpp).
using crypto::CaseStatus;
using crypto::caseStatusFromName;
using crypto::caseStatusName;

struct ForwarderResponse {
    enum class Kind { Found, NotFound, Offline, Unavailable, Done };
    std::uint64_t requestId = 0;
    Kind kind = Kind::Unavailable;
    // Found:
    CaseStatus status = CaseStatus::Received;
    std::int64_t receivedAt = 0;
    std::int64_t updatedAt = 0;
    std::string reply; // the county's public reply; may be empty
};

/// Parses one response line of a status request (exposed for tests).
ForwarderResponse parseStatusResponse(std::string_view line);

class ForwarderClient {
public:
    static constexpr std::chrono::milliseconds kDefaultDeadline{5000};

    ForwarderClient(std::filesystem::path socketPath, std::function<void()> wake,
                    std::chrono::milliseconds deadline = kDefaultDeadline);
    ~ForwarderClient(); // waits at most one deadline for a request in flight
    ForwarderClient(const ForwarderClient&) = delete;
    ForwarderClient& operator=(const ForwarderClient&) = delete;

    /// Queues a status look-up of a receipt tag (64 lower-case hex digits); returns its id.
    std::uint64_t requestStatus(std::string tagHex);
    /// Queues {"op":"sync-now"}; the response has kind Done, Offline or Unavailable.
    std::uint64_t requestSyncNow();
    /// A finished request, oldest first; nullopt when none is ready. UI thread.
    std::optional<ForwarderResponse> takeResponse();

    const std::filesystem::path& socketPath() const { return m_socket; }

    /// One synchronous exchange: connect, write `requestLine` + "\n", read one line. Returns
    /// nullopt with `offline` set when there is nobody to talk to, nullopt with `offline` clear
    /// for any other failure (deadline, I/O error, line over 64 KiB).
    static std::optional<std::string> exchange(const std::filesystem::path& socket,
                                               std::string_view requestLine,
                                               std::chrono::milliseconds deadline, bool& offline);

private:
    struct Job {
        std::uint64_t id;
        bool syncNow;
        std::string tag;
    };
    void run();

    std::filesystem::path m_socket;
    std::function<void()> m_wake;
    std::chrono::milliseconds m_deadline;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<Job> m_jobs;
    std::deque<ForwarderResponse> m_done;
    std::uint64_t m_nextId = 1;
    bool m_stop = false;
    std::thread m_worker; // last: starts after everything it uses exists
};

} // namespace minsheng::kiosk
