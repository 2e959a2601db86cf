#include "tests/kiosk/ui/ui_harness.hpp"

#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace minsheng::test::ui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void sleepMs(int ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

std::vector<json> jsonLines(const std::string& text) {
    std::vector<json> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos)
            nl = text.size();
        if (nl > start)
            out.push_back(json::parse(text.substr(start, nl - start)));
        start = nl + 1;
    }
    return out;
}

} // namespace

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const fs::path& log) {
    m_pid = ::fork();
    REQUIRE(m_pid >= 0);
    if (m_pid == 0) {
        ::setpgid(0, 0);
        const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
        }
        for (const auto& [k, v] : env)
            ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
}

Child::~Child() {
    terminate();
}

bool Child::running() {
    return m_pid > 0 && wait(0) < 0;
}

int Child::wait(double seconds) {
    if (m_pid <= 0)
        return m_status;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        int st = 0;
        const pid_t r = ::waitpid(m_pid, &st, WNOHANG);
        if (r == m_pid) {
            m_pid = -1;
            m_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return m_status;
        }
        if (std::chrono::steady_clock::now() >= end)
            return -1;
        sleepMs(20);
    }
}

void Child::terminate() {
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGTERM);
    if (wait(20) < 0 && m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        wait(10);
    }
}

namespace {

/// The pid written in an X server's lock file /tmp/.X<n>-lock (ten characters, space-padded,
/// then a newline), or -1 while it is absent or not yet written.
pid_t lockOwner(const fs::path& lock) {
    try {
        const std::string text = readFile(lock);
        return text.empty() ? -1 : static_cast<pid_t>(std::stol(text));
    } catch (const std::exception&) {
        return -1;
    }
}

} // namespace

XServer::XServer(int width, int height) {
    for (int n = 90; n < 400; ++n) {
        const std::string lock = "/tmp/.X" + std::to_string(n) + "-lock";
        const std::string sock = "/tmp/.X11-unix/X" + std::to_string(n);
        if (fs::exists(lock) || fs::exists(sock))
            continue;
        m_display = ":" + std::to_string(n);
        Child c({"Xvfb", m_display, "-screen", "0",
                 std::to_string(width) + "x" + std::to_string(height) + "x24", "-nolisten", "tcp",
                 "-noreset"},
                {}, fs::temp_directory_path() / ("minsheng-xvfb" + std::to_string(n) + ".log"));
        // The display is ours only when the lock names our Xvfb: a test in parallel may have
        // taken the same number a moment earlier, and then its socket appears while ours is
        // still starting (and about to fail on the lock). Using that display would end the
        // kiosk's X connection when the other test tears its server down.
        for (int i = 0; i < 500 && c.running(); ++i) {
            if (fs::exists(sock) && lockOwner(lock) == c.pid())
                break;
            if (const pid_t owner = lockOwner(lock); owner > 0 && owner != c.pid())
                break; // lost the race for this number
            sleepMs(20);
        }
        if (c.running() && fs::exists(sock) && lockOwner(lock) == c.pid()) {
            m_child = std::move(c);
            return;
        }
        // Lost a race for this display number with another test: try the next one.
    }
    FAIL("could not start Xvfb on any display :90..:399 (is the xvfb package installed?)");
}

int runWithDisplay(const std::string& display, const std::vector<std::string>& argv) {
    Child c(argv, {{"DISPLAY", display}}, "/dev/null");
    return c.wait(30);
}

Kiosk::Kiosk(const XServer& x, const fs::path& config, const fs::path& dir, int width, int height)
    : m_x(x) {
    const fs::path sock = dir / "automation.sock";
    std::map<std::string, std::string> env = {{"DISPLAY", x.display()},
                                              {"LIBGL_ALWAYS_SOFTWARE", "1"}};
    // Under AddressSanitizer, Mesa's software renderer leaks at exit from modules it has already
    // unloaded, which LeakSanitizer reports as "<unknown module>" and no suppression can name.
    // The kiosk child therefore runs without leak detection (every other ASan and UBSan check
    // stays on); the kiosk core's leak checks run in-process in kiosk_flow_tests.
    const char* asan = std::getenv("ASAN_OPTIONS");
    env["ASAN_OPTIONS"] =
        std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0";
    m_child =
        Child({binary("minsheng-kiosk").string(), "--config", config.string(), "--windowed",
               std::to_string(width) + "x" + std::to_string(height), "--automation", sock.string()},
              env, dir / "kiosk.log");
    for (int i = 0; i < 1500; ++i) { // up to 30 s: a slow machine under ASan
        if (fs::exists(sock)) {
            m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un addr{};
            addr.sun_family = AF_UNIX;
            std::strncpy(addr.sun_path, sock.c_str(), sizeof(addr.sun_path) - 1);
            if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0)
                break;
            ::close(m_fd);
            m_fd = -1;
        }
        if (!m_child.running())
            break;
        sleepMs(20);
    }
    if (m_fd < 0) {
        INFO(readFile(dir / "kiosk.log"));
        FAIL("the kiosk did not open its automation socket");
    }
}

Kiosk::~Kiosk() {
    if (m_fd >= 0)
        ::close(m_fd);
}

json Kiosk::cmd(const std::string& line) {
    const std::string out = line + "\n";
    REQUIRE(::send(m_fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()));
    for (;;) {
        const auto nl = m_buffer.find('\n');
        if (nl != std::string::npos) {
            const std::string reply = m_buffer.substr(0, nl);
            m_buffer.erase(0, nl + 1);
            return json::parse(reply);
        }
        pollfd p{m_fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 120000) == 1); // a bound for a hung kiosk, not a timing check
        char buf[65536];
        const ssize_t n = ::recv(m_fd, buf, sizeof(buf), 0);
        REQUIRE(n > 0);
        m_buffer.append(buf, static_cast<std::size_t>(n));
    }
}

json Kiosk::widget(const std::string& id) {
    const json d = dump();
    for (const auto& w : d["widgets"])
        if (w["id"] == id)
            return w;
    INFO("screen " << d["screen"] << "; widgets: " << d["widgets"].dump());
    FAIL("no widget " + id + " on screen");
    return {};
}

void Kiosk::xdo(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"xdotool"};
    argv.insert(argv.end(), args.begin(), args.end());
    REQUIRE(runWithDisplay(m_x.display(), argv) == 0);
}

void Kiosk::scan(const std::string& text) {
    dump(); // a frame first, so the window has focus and the screen is drawn
    xdo({"type", "--delay", "15", text});
    xdo({"key", "Return"});
    dump(); // the frame that read the keys
}

void Kiosk::click(const std::string& id) {
    const json d = dump();
    json w;
    for (const auto& x : d["widgets"])
        if (x["id"] == id)
            w = x;
    if (w.is_null()) {
        INFO("screen " << d["screen"] << "; widgets: " << d["widgets"].dump());
        FAIL("no widget " + id + " to click");
    }
    REQUIRE(w["enabled"] == true);
    const int x = d["window"]["x"].get<int>() + w["x"].get<int>() + w["w"].get<int>() / 2;
    const int y = d["window"]["y"].get<int>() + w["y"].get<int>() + w["h"].get<int>() / 2;
    // Move, press, release as separate X events, each followed by a frame (the dump), so the
    // kiosk sees hover, press and release in order as it would from a touchscreen.
    xdo({"mousemove", std::to_string(x), std::to_string(y)});
    dump();
    xdo({"mousedown", "1"});
    dump();
    xdo({"mouseup", "1"});
    dump(); // the frame that acts on the release
    dump(); // the frame that shows the result
}

void Kiosk::longPress(const std::string& id, double seconds) {
    const json w = widget(id);
    const json d = dump();
    const int x = d["window"]["x"].get<int>() + w["x"].get<int>() + w["w"].get<int>() / 2;
    const int y = d["window"]["y"].get<int>() + w["y"].get<int>() + w["h"].get<int>() / 2;
    xdo({"mousemove", std::to_string(x), std::to_string(y)});
    dump();
    xdo({"mousedown", "1"});
    dump();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    dump();
    xdo({"mouseup", "1"});
    dump();
    dump();
}

void Kiosk::typeByKeys(const std::string& text) {
    // Latin text: a pinyin keyboard in 中 would compose it, so switch to 英 first.
    const json d = dump();
    for (const auto& w : d["widgets"]) {
        if (w["id"] == "key:lang" && w["label"] == "中") {
            click("key:lang");
            break;
        }
    }
    for (char c : text)
        click(c == ' ' ? std::string("key:space") : "key:" + std::string(1, c));
}

void Kiosk::waitScreen(const std::string& name, double seconds) {
    const json r = cmd("wait " + name + " " + std::to_string(seconds));
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
}

KioskTestRun::KioskTestRun(const std::string& dirPrefix, const std::string& extraConfig,
                           int idleTimeout)
    : dir(dirPrefix), site(dir.path(), extraConfig, idleTimeout),
      kiosk(x, site.config, dir.path()) {}

std::vector<std::pair<std::string, std::string>>
Kiosk::widgetsWithPrefix(const std::string& prefix) {
    std::vector<std::pair<std::string, std::string>> found;
    const json d = dump(); // keep the dump alive while iterating over it
    for (const auto& w : d["widgets"]) {
        const std::string id = w["id"];
        if (id.rfind(prefix, 0) == 0)
            found.emplace_back(id, w["label"]);
    }
    return found;
}

void Kiosk::startOtherReport() {
    click("home.report");
    waitScreen("category");
    click("list.next");
    click("category:other");
}

void Kiosk::nextUntilField(const std::string& field) {
    for (int guard = 0; guard < 30 && dump()["field"] != field; ++guard)
        click("next");
    REQUIRE(dump()["field"] == field);
}

void Kiosk::openDescription() {
    startOtherReport();
    nextUntilField("description");
}

void Kiosk::submitFromPrivacy() {
    waitScreen("privacy");
    click("next");
    waitScreen("review");
    click("submit");
    waitScreen("receipt");
}

void Kiosk::screenshot(const fs::path& file) {
    fs::create_directories(file.parent_path());
    const json r = cmd("screenshot " + file.string());
    INFO(r.dump());
    REQUIRE(r["ok"] == true);
}

bool Kiosk::labelsContain(const std::string& needle) {
    const json d = dump(); // keep the dump alive while iterating over it
    for (const auto& l : d["labels"])
        if (l.get<std::string>().find(needle) != std::string::npos)
            return true;
    return false;
}

void Kiosk::quit() {
    cmd("quit");
    CHECK(m_child.wait(60) == 0);
}

int Kiosk::stopWithSignal(int sig, double seconds) {
    ::kill(m_child.pid(), sig);
    return m_child.wait(seconds);
}

Site::Site(const fs::path& r, const std::string& extraConfig, int idleTimeout) : root(r) {
    county = root / "county";
    bundle = root / "kiosk";
    config = bundle / "kiosk.toml";
    auto p = runProcess(binary("minsheng-county"),
                        {"init", "--dir", county.string(), "--no-passphrase", "--demo"});
    INFO(p.err);
    REQUIRE(p.exitCode == 0);
    p = runProcess(binary("minsheng-county"),
                   {"provision", "--dir", county.string(), "--kiosk-id", "ui-001", "--name",
                    "阳光社区 1 号机", "--out", bundle.string()});
    INFO(p.err);
    REQUIRE(p.exitCode == 0);
    std::string text = readFile(config);
    auto replace = [&](const std::string& from, const std::string& to) {
        const auto pos = text.find(from);
        REQUIRE(pos != std::string::npos);
        text.replace(pos, from.size(), to);
    };
    replace("automation = false", "automation = true");
    replace("idle_timeout_seconds = 90", "idle_timeout_seconds = " + std::to_string(idleTimeout));
    writeFile(config, text + extraConfig);
}

std::vector<json> Site::exportAndOpen() {
    const fs::path usb = root / "usb";
    fs::remove_all(usb);
    auto r = runProcess(binary("minsheng-kiosk"),
                        {"outbox", "--config", config.string(), "--export", usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    r = runProcess(binary("minsheng-county"),
                   {"open", "--dir", county.string(), "--json", usb.string()});
    INFO(r.err);
    REQUIRE(r.exitCode == 0);
    return jsonLines(r.out);
}

std::uint64_t Site::pending() {
    auto r =
        runProcess(binary("minsheng-kiosk"), {"outbox", "--config", config.string(), "--json"});
    if (r.exitCode != 0)
        return 0; // no outbox yet
    return json::parse(r.out)["pending"].get<std::uint64_t>();
}

fs::path screenshotDir() {
    return binaryDir() / "tests" / "kiosk" / "ui" / "screenshots";
}

} // namespace minsheng::test::ui
