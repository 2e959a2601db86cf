// The kiosk under a watchdog-enforcing supervisor (tests/appliance/watchdog_supervisor.hpp, a
// stand-in for minsheng-kiosk.service's Type=notify, WatchdogSec= and Restart=always): READY
// after the first frame, WATCHDOG=1 pings while idle on the home screen with no input at all,
// and after the automation command `hang` stops the UI thread, the kill and a restarted child
// that is READY again. Deadlines only bound a failure; nothing is timed.
#include "tests/appliance/watchdog_supervisor.hpp"
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using minsheng::test::appliance::SupervisorEvent;
using minsheng::test::appliance::WatchdogSupervisor;
using Kind = SupervisorEvent::Kind;

/// One automation command on a fresh connection; the reply line.
std::string automation(const fs::path& socket, const std::string& line) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    const std::string out = line + "\n";
    REQUIRE(::send(fd, out.data(), out.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(out.size()));
    std::string reply;
    while (reply.find('\n') == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        REQUIRE(::poll(&p, 1, 120000) == 1); // bounds a failure only
        char buf[65536];
        const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
        REQUIRE(n > 0);
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return reply.substr(0, reply.find('\n'));
}

std::string describe(const std::vector<SupervisorEvent>& events) {
    static const char* names[] = {"started",          "ready",         "watchdog",
                                  "watchdog-timeout", "start-timeout", "exited"};
    std::string s;
    for (const auto& e : events)
        s += std::to_string(e.start) + ":" + names[static_cast<int>(e.kind)] + " ";
    return s;
}

} // namespace

TEST_CASE("a hung kiosk is killed by the watchdog and restarted", "[appliance][watchdog]") {
    minsheng::test::TempDir dir("minsheng-appliance");
    minsheng::test::ui::Site site(dir / "site");
    minsheng::test::ui::XServer x(1280, 800);
    const fs::path socket = dir / "automation.sock";

    WatchdogSupervisor::Options o;
    o.argv = {minsheng::test::binary("minsheng-kiosk").string(),
              "--config",
              site.config.string(),
              "--windowed",
              "1280x800",
              "--automation",
              socket.string()};
    o.env = {{"DISPLAY", x.display()}, {"LIBGL_ALWAYS_SOFTWARE", "1"}};
    // As in tests/kiosk/ui/ui_harness.cpp: Mesa leaks at exit from unloaded modules under ASan.
    const char* asan = std::getenv("ASAN_OPTIONS");
    o.env["ASAN_OPTIONS"] =
        std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "detect_leaks=0";
    o.dir = dir.path();
    o.watchdog = std::chrono::seconds(6);
    o.maxStarts = 2;
    WatchdogSupervisor sup(o);
    auto logs = [&] {
        std::string s = describe(sup.events());
        for (int i = 1; i <= 2; ++i) {
            const fs::path log = dir / ("child-" + std::to_string(i) + ".log");
            if (fs::exists(log))
                s += "\n--- child " + std::to_string(i) + ":\n" + minsheng::test::readFile(log);
        }
        return s;
    };

    // A failed wait names what was awaited and shows the events and the kiosk's output.
    auto expect = [&](const WatchdogSupervisor::Predicate& done, double seconds, const char* what) {
        if (!sup.waitFor(done, seconds))
            FAIL("waited " << seconds << " s for " << what << "; events: " << logs());
    };
    // READY=1 after the first frame.
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::Ready, 1) == 1; }, 180,
           "READY from the first kiosk");
    // Idle on the home screen with no input: the loop still wakes and pings.
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::Watchdog, 1) >= 4; }, 120,
           "four idle watchdog pings");
    CHECK(WatchdogSupervisor::count(sup.events(), Kind::WatchdogTimeout) == 0);
    CHECK(WatchdogSupervisor::count(sup.events(), Kind::Exited) == 0);
    const auto home = nlohmann::json::parse(automation(socket, "dump"));
    CHECK(home["screen"] == "home");

    // Hang the UI thread: the pings stop, the watchdog fires, the child dies of SIGABRT
    // (or the SIGKILL that follows), and Restart=always brings up a second, READY child.
    const auto hung = nlohmann::json::parse(automation(socket, "hang"));
    REQUIRE(hung["ok"] == true);
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::WatchdogTimeout, 1) == 1; }, 120,
           "the watchdog to fire");
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::Exited, 1) == 1; }, 60,
           "the hung kiosk to die");
    for (const auto& e : sup.events()) {
        if (e.kind == Kind::Exited && e.start == 1) {
            REQUIRE(WIFSIGNALED(e.status));
            CHECK((WTERMSIG(e.status) == SIGABRT || WTERMSIG(e.status) == SIGKILL));
        }
    }
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::Ready, 2) == 1; }, 180,
           "READY from the restarted kiosk");
    pid_t first = -1, second = -1;
    for (const auto& e : sup.events())
        if (e.kind == Kind::Started)
            (e.start == 1 ? first : second) = e.pid;
    CHECK(first != second);
    // The restarted kiosk pings too, and answers on the home screen.
    expect([](auto& e) { return WatchdogSupervisor::count(e, Kind::Watchdog, 2) >= 2; }, 120,
           "pings from the restarted kiosk");
    CHECK(nlohmann::json::parse(automation(socket, "dump"))["screen"] == "home");
}
