// Harness for the touch window's end-to-end tests: an Xvfb of our own on a free display, the
// real minsheng-kiosk in it, its automation socket, and real X11 input through xdotool.
//
// Waits are on states (a screen, a label), with generous timeouts that only bound a failure;
// nothing passes or fails on how fast the machine is.
#pragma once

#include "tests/support/temp_dir.hpp"

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace minsheng::test::ui {

/// A child process; killed (SIGTERM, then SIGKILL) and reaped on destruction.
class Child {
public:
    Child() = default;
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const std::filesystem::path& log);
    ~Child();
    Child(Child&& o) noexcept : m_pid(o.m_pid) { o.m_pid = -1; }
    Child& operator=(Child&& o) noexcept {
        if (this != &o) {
            terminate();
            m_pid = o.m_pid;
            o.m_pid = -1;
        }
        return *this;
    }
    pid_t pid() const { return m_pid; }
    /// Exit status if it has exited (waits up to `seconds`), else -1.
    int wait(double seconds);
    bool running();
    void terminate();

private:
    pid_t m_pid = -1;
    int m_status = -1;
};

/// Xvfb on the first free display from :90 up.
class XServer {
public:
    explicit XServer(int width = 1920, int height = 1080);
    const std::string& display() const { return m_display; }

private:
    std::string m_display;
    Child m_child;
};

/// Runs a command with DISPLAY set, waits; returns its exit status.
int runWithDisplay(const std::string& display, const std::vector<std::string>& argv);

class Kiosk {
public:
    /// Starts minsheng-kiosk --config CONFIG --windowed WxH --automation SOCKET in `x`.
    Kiosk(const XServer& x, const std::filesystem::path& config, const std::filesystem::path& dir,
          int width = 1920, int height = 1080);
    ~Kiosk();

    nlohmann::json cmd(const std::string& line);
    nlohmann::json dump() { return cmd("dump"); }
    std::string screen() { return dump()["screen"]; }
    /// The widget's record from a fresh dump; fails the test when absent.
    nlohmann::json widget(const std::string& id);
    /// A real click through X11 at the centre of widget `id`.
    void click(const std::string& id);
    /// Presses and holds at the widget for `seconds` (the staff long press).
    void longPress(const std::string& id, double seconds);
    /// Clicks the on-screen keyboard key by key: a-z, 0-9 and space, as they are (a pinyin
    /// keyboard is switched to 英 first).
    void typeByKeys(const std::string& text);
    /// Types `text` and Enter as X11 key events, as a USB QR/barcode reader (a keyboard to the
    /// system) does when it scans.
    void scan(const std::string& text);
    /// Waits until the screen is `name` (fails after `seconds`).
    void waitScreen(const std::string& name, double seconds = 30);
    /// The (id, label) of every widget on screen whose id starts with `prefix`, in the order
    /// they were drawn (`cand:` the pinyin candidates, `hw:` the handwriting candidates).
    std::vector<std::pair<std::string, std::string>> widgetsWithPrefix(const std::string& prefix);

    // ---- journeys shared by the tests -------------------------------------------------------
    /// From home: 我要反映, then the category 其他 (on the category list's second page).
    void startOtherReport();
    /// Taps 下一步 until the report's question `field` is shown (fails after a bounded number).
    void nextUntilField(const std::string& field);
    /// startOtherReport() and on to the free-text description, where the keyboard is.
    void openDescription();
    /// From the privacy notice (after the last question): on to the review, submit, and wait
    /// for the receipt.
    void submitFromPrivacy();
    void screenshot(const std::filesystem::path& file);
    bool labelsContain(const std::string& needle);
    void quit();
    /// Sends `sig` to the kiosk and returns its exit status (128 + signal when a signal killed
    /// it), or -1 if it is still running after `seconds`.
    int stopWithSignal(int sig, double seconds = 60);
    pid_t pid() const { return m_child.pid(); }

private:
    void xdo(const std::vector<std::string>& args);
    const XServer& m_x;
    Child m_child;
    int m_fd = -1;
    std::string m_buffer;
};

/// A county and a provisioned kiosk bundle with automation on (and extra config appended).
struct Site {
    std::filesystem::path root;
    std::filesystem::path county;
    std::filesystem::path bundle;
    std::filesystem::path config;
    explicit Site(const std::filesystem::path& root, const std::string& extraConfig = {},
                  int idleTimeout = 90);
    /// outbox --export then minsheng-county open --json: the opened envelopes.
    std::vector<nlohmann::json> exportAndOpen();
    std::uint64_t pending();
};

/// One test's world: a temporary directory, a county and a provisioned kiosk in it (Site), an
/// Xvfb, and the kiosk running in it. Members are built in this order and torn down in reverse.
struct KioskTestRun {
    TempDir dir;
    Site site;
    XServer x;
    Kiosk kiosk;
    explicit KioskTestRun(const std::string& dirPrefix, const std::string& extraConfig = {},
                          int idleTimeout = 90);
};

/// Where screenshots go: <build>/tests/kiosk/ui/screenshots.
std::filesystem::path screenshotDir();

} // namespace minsheng::test::ui
