// Nothing of a session outlives it: a parent's words are gone from the kiosk's memory after each
// kind of wipe (idle timeout, 重新开始, a submission), and the input-method helper that saw them is
// gone too.
//
// The kiosk runs with automation OFF (no --automation, automation = false), driven only by real
// X11 clicks. Where to click is learnt first from a kiosk of the same configuration and window
// size with automation on, walking the same journey; the replay waits between events until the
// kiosk has stopped using CPU (its frame is done), not for a fixed time. A unique ASCII marker is
// typed on the 英 keyboard and 紫色河马 in pinyin (zisehema, committed with space). Before the
// wipe, a scan of the kiosk's live memory must find the marker and the phrase (so the typing
// reached the field and the search works); after it, neither the live memory nor a gcore core
// file may hold the marker, the phrase or the pinyin letters in UTF-8, UTF-16LE, UTF-32LE, hex or
// base64, and the helper that served the session must no longer exist.
#include "tests/kiosk/ui/ui_harness.hpp"
#include "tests/support/run_process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace minsheng::test::ui;
using minsheng::test::binary;
using minsheng::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kPinyin = "zisehema";
const std::string kPhrase = "紫色河马";

enum class Wipe { Idle, StartOver, Submission };

struct Tap {
    int x = 0, y = 0;
};

// ---- needles -------------------------------------------------------------------------------

std::vector<char32_t> codePoints(const std::string& s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
        for (int k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        out.push_back(cp);
        i += n;
    }
    return out;
}

std::string base64(const std::string& bytes) {
    std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                      bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

/// `text` in every encoding searched for, labelled.
std::vector<std::pair<std::string, std::string>> encodings(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("utf-8", text);
    std::string u16, u32;
    for (char32_t cp : codePoints(text)) {
        if (cp >= 0x10000) {
            const char32_t v = cp - 0x10000;
            for (char32_t unit : {0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)}) {
                u16 += static_cast<char>(unit & 0xFF);
                u16 += static_cast<char>(unit >> 8);
            }
        } else {
            u16 += static_cast<char>(cp & 0xFF);
            u16 += static_cast<char>(cp >> 8);
        }
        for (int i = 0; i < 4; ++i)
            u32 += static_cast<char>((cp >> (8 * i)) & 0xFF);
    }
    out.emplace_back("utf-16le", u16);
    out.emplace_back("utf-32le", u32);
    static const char* kDigits[] = {"0123456789abcdef", "0123456789ABCDEF"};
    for (const char* digits : kDigits) {
        std::string hex;
        for (unsigned char c : text) {
            hex += digits[c >> 4];
            hex += digits[c & 15];
        }
        out.emplace_back(digits[10] == 'a' ? "hex" : "HEX", hex);
    }
    // Base64 at each of the three alignments the text can start at inside a longer string:
    // only the characters that depend on the text alone.
    for (int shift = 0; shift < 3; ++shift) {
        const std::string encoded =
            base64(std::string(static_cast<std::size_t>(shift), '\0') + text);
        const std::size_t from = shift == 0 ? 0 : 4;
        const std::size_t whole = (static_cast<std::size_t>(shift) + text.size()) / 3 * 4;
        if (whole > from + 4)
            out.emplace_back("base64+" + std::to_string(shift), encoded.substr(from, whole - from));
    }
    return out;
}

struct Needle {
    std::string what; // "marker utf-8"
    std::string bytes;
};

std::vector<Needle> needlesFor(const std::vector<std::pair<std::string, std::string>>& texts) {
    std::vector<Needle> out;
    for (const auto& [name, text] : texts)
        for (const auto& [enc, bytes] : encodings(text))
            out.push_back(Needle{name + " " + enc, bytes});
    return out;
}

/// Counts each needle in a stream of chunks (overlapping, so nothing is missed at a seam).
class Counter {
public:
    explicit Counter(std::vector<Needle> needles) : m_needles(std::move(needles)) {
        for (const auto& n : m_needles)
            m_overlap = std::max(m_overlap, n.bytes.size());
        m_counts.assign(m_needles.size(), 0);
    }
    /// A region of memory or of a file; regions are searched independently.
    void region(std::istream& in) {
        std::string carry;
        std::vector<char> buf(8u << 20);
        while (in) {
            in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (n == 0)
                break;
            std::string window = carry + std::string(buf.data(), n);
            scan(window, carry.size());
            carry = window.substr(window.size() - std::min(window.size(), m_overlap - 1));
        }
    }
    void bytes(const std::string& data) { scan(data, 0); }
    std::size_t count(std::size_t i) const { return m_counts[i]; }
    std::size_t total() const {
        std::size_t t = 0;
        for (auto c : m_counts)
            t += c;
        return t;
    }
    std::string report() const {
        std::ostringstream out;
        for (std::size_t i = 0; i < m_needles.size(); ++i)
            out << "  " << m_needles[i].what << ": " << m_counts[i] << "\n";
        return out.str();
    }
    const std::vector<Needle>& needles() const { return m_needles; }

private:
    void scan(const std::string& window, std::size_t carried) {
        for (std::size_t i = 0; i < m_needles.size(); ++i) {
            const std::string& nd = m_needles[i].bytes;
            for (auto at = window.find(nd); at != std::string::npos; at = window.find(nd, at + 1))
                if (at + nd.size() > carried) // not counted in the previous chunk
                    ++m_counts[i];
        }
    }
    std::vector<Needle> m_needles;
    std::vector<std::size_t> m_counts;
    std::size_t m_overlap = 1;
};

/// Every readable mapping of a live process (DONTDUMP ones too), via /proc/PID/mem.
void scanLiveMemory(pid_t pid, Counter& c) {
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(mem >= 0);
    std::string line;
    std::vector<char> buf(8u << 20);
    while (std::getline(maps, line)) {
        unsigned long from = 0, to = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s", &from, &to, perms) != 3 || perms[0] != 'r')
            continue;
        if (line.find("[vvar]") != std::string::npos)
            continue;
        std::string region;
        for (unsigned long at = from; at < to;) {
            const std::size_t want = std::min<unsigned long>(buf.size(), to - at);
            const ssize_t n = ::pread(mem, buf.data(), want, static_cast<off_t>(at));
            if (n <= 0)
                break;
            region.append(buf.data(), static_cast<std::size_t>(n));
            at += static_cast<unsigned long>(n);
            if (region.size() >= (64u << 20)) { // bound the copy; keep an overlap
                c.bytes(region);
                region.erase(0, region.size() - 64);
            }
        }
        c.bytes(region);
    }
    ::close(mem);
}

/// gcore of the process, then the core file searched.
void scanCore(pid_t pid, const fs::path& dir, Counter& c) {
    const fs::path prefix = dir / "core";
    auto r =
        minsheng::test::runProcess("/usr/bin/gcore", {"-o", prefix.string(), std::to_string(pid)});
    const fs::path core = prefix.string() + "." + std::to_string(pid);
    INFO(r.err);
    REQUIRE(fs::exists(core));
    {
        std::ifstream in(core, std::ios::binary);
        c.region(in);
    }
    fs::remove(core);
}

// ---- processes -----------------------------------------------------------------------------

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool exists(pid_t pid) {
    return ::kill(pid, 0) == 0;
}

/// The kiosk's input-method helpers (its children running `ime-helper`).
std::vector<pid_t> helpersOf(pid_t kiosk) {
    std::vector<pid_t> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const std::string stat = readText(e.path() / "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos)
            continue;
        int ppid = 0;
        char state = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2 || ppid != kiosk)
            continue;
        std::string cmd = readText(e.path() / "cmdline");
        std::replace(cmd.begin(), cmd.end(), '\0', ' ');
        if (cmd.find("ime-helper") != std::string::npos && state != 'Z')
            out.push_back(std::stoi(name));
    }
    return out;
}

/// CPU time the whole process has used, in clock ticks.
long cpuTicks(pid_t pid) {
    const std::string stat = readText("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    std::istringstream in(stat.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; in >> field; ++i) {
        if (i == 14)
            utime = std::stol(field);
        if (i == 15) {
            stime = std::stol(field);
            break;
        }
    }
    return utime + stime;
}

/// Waits until the kiosk has used no CPU for a while: the frame an event caused is done.
/// A bound of 60 s for a kiosk that never settles, not a timing check.
void waitQuiet(pid_t pid) {
    using Clock = std::chrono::steady_clock;
    const auto giveUp = Clock::now() + std::chrono::seconds(60);
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    long last = cpuTicks(pid);
    int quiet = 0;
    while (quiet < 4 && Clock::now() < giveUp) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        const long now = cpuTicks(pid);
        quiet = now == last ? quiet + 1 : 0;
        last = now;
    }
}

void xdo(const XServer& x, const std::vector<std::string>& args) {
    std::vector<std::string> argv{"xdotool"};
    argv.insert(argv.end(), args.begin(), args.end());
    REQUIRE(runWithDisplay(x.display(), argv) == 0);
}

/// Clicks through a kiosk with automation and remembers where each click landed.
class Recorder {
public:
    explicit Recorder(Kiosk& k) : m_k(k) {}
    void click(const std::string& id) {
        const json d = m_k.dump();
        for (const auto& w : d["widgets"]) {
            if (w["id"] == id) {
                taps.push_back(
                    Tap{d["window"]["x"].get<int>() + w["x"].get<int>() + w["w"].get<int>() / 2,
                        d["window"]["y"].get<int>() + w["y"].get<int>() + w["h"].get<int>() / 2});
                break;
            }
        }
        m_k.click(id);
    }
    std::vector<Tap> taps;

private:
    Kiosk& m_k;
};

/// The journey to the description, the marker on 英 and the phrase in pinyin.
struct Journey {
    std::vector<Tap> typing; // from home to the typed text
    std::vector<Tap> wipe;   // the taps that wipe (none for the idle timeout)
    std::vector<Tap> after;  // after the wipe (the receipt: 我已记下, 完成)
};

Journey learn(Site& site, const fs::path& dir, const std::string& marker, Wipe kind) {
    XServer x;
    Kiosk k(x, site.config, dir);
    Recorder r(k);
    Journey j;
    r.click("home.report");
    k.waitScreen("category");
    r.click("list.next");
    r.click("category:other");
    for (int guard = 0; guard < 30 && k.dump()["field"] != "description"; ++guard)
        r.click("next");
    REQUIRE(k.dump()["field"] == "description");
    REQUIRE(k.widget("key:lang")["label"] == "中");
    r.click("key:lang"); // 英
    for (char c : marker)
        r.click("key:" + std::string(1, c));
    r.click("key:lang"); // 中
    for (char c : kPinyin)
        r.click("key:" + std::string(1, c));
    r.click("key:space"); // the first candidate
    REQUIRE(k.labelsContain(marker + kPhrase));
    j.typing = std::move(r.taps);
    r.taps.clear();
    if (kind == Wipe::StartOver) {
        r.click("start_over");
        k.waitScreen("home");
    } else if (kind == Wipe::Submission) {
        for (int guard = 0; guard < 30 && k.dump()["screen"] == "field"; ++guard)
            r.click("next");
        k.waitScreen("privacy");
        r.click("next");
        k.waitScreen("review");
        r.click("submit");
        k.waitScreen("receipt");
        j.wipe = std::move(r.taps);
        r.taps.clear();
        r.click("receipt.noted");
        r.click("finish");
        k.waitScreen("home");
        j.after = std::move(r.taps);
        r.taps.clear();
    }
    if (kind == Wipe::StartOver)
        j.wipe = std::move(r.taps);
    k.quit();
    return j;
}

void replay(const XServer& x, pid_t kiosk, const std::vector<Tap>& taps) {
    for (const Tap& t : taps) {
        xdo(x, {"mousemove", std::to_string(t.x), std::to_string(t.y)});
        waitQuiet(kiosk);
        xdo(x, {"mousedown", "1"});
        waitQuiet(kiosk);
        xdo(x, {"mouseup", "1"});
        waitQuiet(kiosk);
    }
}

void nothingSurvives(Wipe kind, const std::string& prefix) {
    TempDir dir(prefix);
    Site site(dir.path(), {}, 15); // the configuration's minimum idle timeout
    // A marker no configuration, catalogue or library holds (letters and digits on the keys).
    unsigned char random[6];
    randombytes_buf(random, sizeof random);
    std::string marker = "qx";
    for (unsigned char c : random)
        marker += "0123456789abcdefghijklmnopqrstuvwxyz"[c % 36];
    const Journey j = learn(site, dir.path(), marker, kind);
    const auto pendingAfterLearning = site.pending(); // the learning run submits one too

    // The same kiosk with automation off, in a fresh X server.
    std::string config = readText(site.config);
    const auto at = config.find("automation = true");
    REQUIRE(at != std::string::npos);
    config.replace(at, 17, "automation = false");
    { std::ofstream(site.config, std::ios::trunc) << config; }
    XServer x;
    Child kiosk({binary("minsheng-kiosk").string(), "--config", site.config.string(), "--windowed",
                 "1920x1080"},
                {{"DISPLAY", x.display()},
                 {"LIBGL_ALWAYS_SOFTWARE", "1"},
                 {"ASAN_OPTIONS", "detect_leaks=0"}},
                dir.path() / "kiosk-no-automation.log");
    // Up when the window exists and the helper is ready to serve.
    bool up = false;
    for (int i = 0; i < 600 && !up; ++i) {
        up = runWithDisplay(x.display(), {"xdotool", "search", "--name", "Minsheng"}) == 0 &&
             !helpersOf(kiosk.pid()).empty();
        if (!up)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    INFO(readText(dir.path() / "kiosk-no-automation.log"));
    REQUIRE(up);
    waitQuiet(kiosk.pid());
    replay(x, kiosk.pid(), j.typing);
    const std::vector<pid_t> served = helpersOf(kiosk.pid());
    REQUIRE(served.size() == 1);

    const std::vector<std::pair<std::string, std::string>> texts = {
        {"marker", marker}, {"phrase", kPhrase}, {"pinyin", kPinyin}};
    {
        Counter before(needlesFor(texts));
        scanLiveMemory(kiosk.pid(), before);
        INFO("live memory before the wipe:\n" << before.report());
        REQUIRE(before.count(0) > 0); // the marker, UTF-8: typed into the field
        REQUIRE(before.count(encodings(marker).size()) > 0); // the phrase, UTF-8
    }

    replay(x, kiosk.pid(), j.wipe);
    // The wipe ends the helper that served the session (for the idle timeout: after 15 s and
    // the 还在吗？ countdown). Bounds, not timings.
    for (int i = 0; i < 1800 && exists(served.front()); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(exists(served.front()));
    replay(x, kiosk.pid(), j.after);
    waitQuiet(kiosk.pid());
    const std::vector<pid_t> fresh = helpersOf(kiosk.pid());
    CHECK(fresh.size() == 1);
    CHECK(std::find(fresh.begin(), fresh.end(), served.front()) == fresh.end());

    Counter live(needlesFor(texts));
    scanLiveMemory(kiosk.pid(), live);
    Counter core(needlesFor(texts));
    scanCore(kiosk.pid(), dir.path(), core);
    std::printf("%s: after the wipe, live memory:\n%s  core file:\n%s", prefix.c_str(),
                live.report().c_str(), core.report().c_str());
    INFO("live memory after the wipe:\n" << live.report());
    INFO("core file after the wipe:\n" << core.report());
    CHECK(live.total() == 0);
    CHECK(core.total() == 0);
    if (kind == Wipe::Submission)
        CHECK(site.pending() == pendingAfterLearning + 1); // it was really submitted
}

} // namespace

TEST_CASE("nothing a parent typed survives the idle timeout, in the kiosk or its helper",
          "[ui][memory][pinyin]") {
    nothingSurvives(Wipe::Idle, "minsheng-ui-memory-idle");
}

TEST_CASE("nothing a parent typed survives 重新开始, in the kiosk or its helper",
          "[ui][memory][pinyin]") {
    nothingSurvives(Wipe::StartOver, "minsheng-ui-memory-restart");
}

TEST_CASE("nothing a parent typed survives a submission, in the kiosk or its helper",
          "[ui][memory][pinyin]") {
    nothingSurvives(Wipe::Submission, "minsheng-ui-memory-submit");
}
