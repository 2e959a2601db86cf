// The test automation socket: `minsheng-kiosk --automation PATH`, refused unless the kiosk
// configuration says `automation = true` (never on a real kiosk).
//
// One command per line, one line of JSON back (docs/kiosk-ui.md lists them: dump, tap, type,
// wait, screenshot, stats, quit). The server thread only moves lines between the socket and a
// queue; every command is carried out by the UI thread between frames, so automation sees and
// does exactly what a touch would.
#pragma once

#include <atomic>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace minsheng::kiosk::ui {

class AutomationServer {
public:
    struct Request {
        std::string line;
        std::promise<std::string> reply;
    };

    /// Binds PATH (mode 0600; an old socket file there is replaced). nullptr with `error` set
    /// when it cannot.
    static std::unique_ptr<AutomationServer> start(const std::filesystem::path& path,
                                                   std::function<void()> wake, std::string& error);
    ~AutomationServer();

    /// The next command, if any (UI thread). Answer it with request->reply.set_value().
    std::shared_ptr<Request> take();

private:
    AutomationServer() = default;
    void run();

    std::filesystem::path m_path;
    std::function<void()> m_wake;
    int m_listen = -1;
    int m_stopPipe[2] = {-1, -1};
    std::mutex m_mutex;
    std::deque<std::shared_ptr<Request>> m_queue;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

} // namespace minsheng::kiosk::ui
