// The input-method helper: its frames (every message round-trips, every malformed frame is
// refused with its typed error), its confinement (no sockets, no writes), and the client's
// handling of helpers that crash, hang or talk nonsense (a fresh one is started, the field keeps
// what was committed). The helpers here are forked children of the test running
// serveImeHelper on the build's Rime data, or scripted misbehaving ones.
#include "kiosk/core/ime_client.hpp"
#include "kiosk/core/ime_helper.hpp"
#include "kiosk/core/ime_wire.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <functional>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace minsheng::kiosk;
namespace fs = std::filesystem;

namespace {

class StringTarget final : public TextTarget {
public:
    void insert(std::string_view s) override { text.append(s); }
    void backspace() override {
        while (!text.empty()) {
            const unsigned char c = static_cast<unsigned char>(text.back());
            text.pop_back();
            if ((c & 0xC0) != 0x80)
                break;
        }
    }
    bool multiline() const override { return true; }
    std::string text;
};

std::vector<std::uint8_t> bodyOf(const ImeMessage& m) {
    auto frame = encodeImeMessage(m);
    return {frame.begin() + kImeFrameHeader, frame.end()};
}

ImeWireError errorOf(std::vector<std::uint8_t> body) {
    auto r = decodeImeMessage(body);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

std::vector<ImeMessage> everyKind() {
    return {KeyRequest{ImeKey::Kind::Text, true, "z"},
            KeyRequest{ImeKey::Kind::Enter, false, ""},
            ChooseRequest{true, 70000},
            CommitRequest{false},
            ResetRequest{},
            InkRequest{10, {{0, 0, 0}, {1000, 500, 1}, {3, 1000, 39}}},
            ReadyReply{"", "no model"},
            ImeReply{{{false, "紫色"}, {true, ""}, {false, "河马"}}, "zi se", {"紫色", "字"}},
            InkReply{{"一", "十"}}};
}

/// Forks a child that closes everything but its socket (as the real helper does) and runs
/// `body` on it.
ImeHelperSpawner forkHelper(std::function<int(int fd)> body) {
    return [body]() -> minsheng::Result<ImeHelperProcess, std::string> {
        int sv[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
            return minsheng::fail(std::string("socketpair"));
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::close(sv[0]);
            if (!confineImeHelper(sv[1], parent))
                ::_exit(9);
            ::_exit(body(sv[1]));
        }
        ::close(sv[1]);
        return ImeHelperProcess{pid, sv[0]};
    };
}

int realHelper(int fd) {
    return serveImeHelper(
        fd, ImeHelperOptions{minsheng::test::binaryDir() / "rime", kDefaultHandwritingModel});
}

bool alive(pid_t pid) {
    return pid > 0 && ::kill(pid, 0) == 0;
}

void typeLetters(InputMethod& m, TextTarget& t, std::string_view letters) {
    for (std::size_t i = 0; i < letters.size(); ++i)
        m.feed(ImeKey{ImeKey::Kind::Text, letters.substr(i, 1)}, t);
}

bool offers(const InputMethod& m, std::string_view word) {
    for (std::size_t i = 0; i < m.candidateCount(); ++i)
        if (m.candidate(i) == word)
            return true;
    return false;
}

} // namespace

// ---- frames ---------------------------------------------------------------------------------

TEST_CASE("every message survives encoding and parsing", "[ime][wire]") {
    for (const ImeMessage& m : everyKind()) {
        auto r = decodeImeMessage(bodyOf(m));
        REQUIRE(r.ok());
        CHECK(r->index() == m.index());
        CHECK(bodyOf(*r) == bodyOf(m));
    }
    auto r = decodeImeMessage(bodyOf(everyKind()[7]));
    const auto& reply = std::get<ImeReply>(*r);
    REQUIRE(reply.edits.size() == 3);
    CHECK(reply.edits[0].text == "紫色");
    CHECK(reply.edits[1].backspace);
    CHECK(reply.preedit == "zi se");
    CHECK(reply.candidates == std::vector<std::string>{"紫色", "字"});
}

TEST_CASE("a frame cut anywhere or extended is refused", "[ime][wire]") {
    for (const ImeMessage& m : everyKind()) {
        const auto body = bodyOf(m);
        for (std::size_t n = 1; n < body.size(); ++n) {
            INFO("message " << m.index() << " cut to " << n << " bytes");
            CHECK(errorOf({body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n)}) ==
                  ImeWireError::Truncated);
        }
        auto longer = body;
        longer.push_back(0);
        CHECK(errorOf(longer) == ImeWireError::TrailingBytes);
    }
}

TEST_CASE("malformed frames are refused with a typed error", "[ime][wire]") {
    CHECK(errorOf({}) == ImeWireError::EmptyFrame);
    CHECK(errorOf({0x7f}) == ImeWireError::UnknownType);
    CHECK(errorOf({0x00}) == ImeWireError::UnknownType);
    // Header: zero and oversized lengths.
    CHECK(decodeImeFrameLength(std::array<std::uint8_t, 4>{0, 0, 0, 0}).error() ==
          ImeWireError::EmptyFrame);
    CHECK(decodeImeFrameLength(std::array<std::uint8_t, 4>{1, 0, 1, 0}).error() ==
          ImeWireError::FrameTooLong);
    CHECK(decodeImeFrameLength(std::array<std::uint8_t, 4>{0, 0, 1, 0}).value() ==
          kMaxImeFrameBody);
    CHECK(errorOf(std::vector<std::uint8_t>(kMaxImeFrameBody + 1, 0x04)) ==
          ImeWireError::FrameTooLong);
    // Key: kind 4, flag 2, a string that is not UTF-8, a string over the limit.
    CHECK(errorOf({0x01, 4, 0, 0, 0}) == ImeWireError::BadKeyKind);
    CHECK(errorOf({0x01, 0, 2, 0, 0}) == ImeWireError::BadFlag);
    CHECK(errorOf({0x01, 0, 0, 2, 0, 0xC3, 0x28}) == ImeWireError::BadUtf8);
    CHECK(errorOf({0x01, 0, 0, 0x01, 0x10}) == ImeWireError::StringTooLong);
    CHECK(errorOf({0x03, 7}) == ImeWireError::BadFlag);
    // Reply: an edit tag 3; more candidates than allowed.
    CHECK(errorOf({0x81, 1, 0, 3}) == ImeWireError::BadEdit);
    CHECK(errorOf({0x82, 0xff, 0xff}) == ImeWireError::TooMany);
    // Ink: x over kInkSize, a negative y, a stroke past the limit, too many points.
    auto ink = [](std::int16_t x, std::int16_t y, std::uint16_t s) {
        return bodyOf(InkRequest{5, {{x, y, s}}});
    };
    CHECK(errorOf(ink(1001, 0, 0)) == ImeWireError::BadInkPoint);
    CHECK(errorOf(ink(0, -1, 0)) == ImeWireError::BadInkPoint);
    CHECK(errorOf(ink(0, 0, kMaxInkStrokes)) == ImeWireError::BadInkPoint);
    CHECK(errorOf({0x05, 5, 0, 0x01, 0x10}) == ImeWireError::TooMany);
}

TEST_CASE("a frame is read from a socket whole, and a bad one is refused", "[ime][wire]") {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    const auto frame = encodeImeMessage(InkReply{{"口"}});
    REQUIRE(writeImeFrame(sv[0], frame));
    auto r = readImeFrame(sv[1], 1000);
    REQUIRE(r.ok());
    CHECK(std::get<InkReply>(*r).candidates == std::vector<std::string>{"口"});
    const std::uint8_t bad[] = {2, 0, 0, 0, 0x81, 0};
    REQUIRE(::write(sv[0], bad, sizeof bad) == sizeof bad);
    auto e = readImeFrame(sv[1], 1000);
    REQUIRE_FALSE(e.ok());
    CHECK(e.error().kind == ImeChannelError::Kind::Malformed);
    CHECK(readImeFrame(sv[1], 50).error().kind == ImeChannelError::Kind::Timeout);
    ::close(sv[0]);
    CHECK(readImeFrame(sv[1], 1000).error().kind == ImeChannelError::Kind::Closed);
    ::close(sv[1]);
}

// ---- confinement ----------------------------------------------------------------------------

TEST_CASE("the helper's filter forbids sockets and writing files, not reading", "[ime][sandbox]") {
    minsheng::test::TempDir dir("minsheng-ime-sandbox");
    const fs::path readable = dir.path() / "readable";
    { std::ofstream(readable) << "x"; }
    const pid_t child = ::fork();
    if (child == 0) {
        if (!forbidNetworkAndWrites())
            ::_exit(10);
        int failures = 0;
        if (::socket(AF_INET, SOCK_STREAM, 0) >= 0 || errno != EPERM)
            failures |= 1;
        if (::socket(AF_UNIX, SOCK_STREAM, 0) >= 0 || errno != EPERM)
            failures |= 2;
        const std::string made = (dir.path() / "made").string();
        if (::open(made.c_str(), O_WRONLY | O_CREAT, 0600) >= 0 || errno != EPERM)
            failures |= 4;
        if (::open(readable.c_str(), O_RDWR) >= 0 || errno != EPERM)
            failures |= 8;
        if (::open(readable.c_str(), O_RDONLY) < 0)
            failures |= 16;
        if (::mkdir(made.c_str(), 0700) == 0 || errno != EPERM)
            failures |= 32;
        ::_exit(failures);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK_FALSE(fs::exists(dir.path() / "made"));
}

// ---- the client -----------------------------------------------------------------------------

TEST_CASE("pinyin through the helper commits into the field, and the wipe ends the helper",
          "[ime][client]") {
    auto client = std::make_shared<ImeHelperClient>(forkHelper(realHelper));
    auto ready = client->ready();
    REQUIRE(ready.ok());
    CHECK(ready->pinyinError.empty());
    HelperInputMethod ime(client);
    StringTarget field;
    typeLetters(ime, field, "woyaotousu");
    CHECK(ime.preedit().size() >= 10);
    REQUIRE(offers(ime, "我要投诉"));
    for (std::size_t i = 0; i < ime.candidateCount(); ++i)
        if (ime.candidate(i) == "我要投诉") {
            ime.choose(i, field);
            break;
        }
    CHECK(field.text == "我要投诉");
    CHECK(ime.preedit().empty());
    ime.feed(ImeKey{ImeKey::Kind::Backspace, {}}, field);
    CHECK(field.text == "我要投");
    const pid_t used = client->pid();
    REQUIRE(alive(used));
    ime.endSession();
    CHECK_FALSE(alive(used)); // ended and reaped
    const pid_t fresh = client->pid();
    CHECK(fresh != used);
    CHECK(alive(fresh));
    // A helper that served nothing has seen nothing: another wipe keeps it.
    ime.endSession();
    CHECK(client->pid() == fresh);
    CHECK(client->losses() == 0);
}

TEST_CASE("handwriting through the helper", "[ime][client]") {
    auto client = std::make_shared<ImeHelperClient>(forkHelper(realHelper));
    HelperHandwritingRecognizer hw(client);
    std::vector<InkPoint> one; // 一: one horizontal stroke
    for (int x = 150; x <= 850; x += 50)
        one.push_back(InkPoint{static_cast<std::int16_t>(x), 500, 0});
    const auto found = hw.recognize(one, 10);
    CHECK(std::find(found.begin(), found.end(), "一") != found.end());
    const pid_t used = client->pid();
    hw.releaseModel();
    CHECK_FALSE(alive(used));
}

TEST_CASE("a helper killed mid-composition is replaced, and the field keeps what was committed",
          "[ime][client][respawn]") {
    auto client = std::make_shared<ImeHelperClient>(forkHelper(realHelper));
    HelperInputMethod ime(client);
    StringTarget field;
    typeLetters(ime, field, "woyao");
    ime.feed(ImeKey{ImeKey::Kind::Space, {}}, field);
    const std::string committed = field.text;
    REQUIRE_FALSE(committed.empty());
    typeLetters(ime, field, "tou");
    REQUIRE_FALSE(ime.preedit().empty());
    const pid_t first = client->pid();
    ::kill(first, SIGKILL);
    ime.feed(ImeKey{ImeKey::Kind::Text, "s"}, field);
    CHECK(ime.interrupted());
    CHECK(ime.preedit().empty());
    CHECK(ime.candidateCount() == 0);
    CHECK(field.text == committed);
    CHECK(client->losses() == 1);
    CHECK(client->pid() != first);
    CHECK_FALSE(alive(first));
    // The fresh helper takes the next keys.
    typeLetters(ime, field, "tousu");
    CHECK_FALSE(ime.interrupted());
    CHECK(offers(ime, "投诉"));
}

TEST_CASE("a helper that hangs, answers nonsense or dies at start is replaced",
          "[ime][client][respawn]") {
    int started = 0;
    // The n-th helper misbehaves in the n-th way; the one after that is a real one.
    auto spawner = forkHelper([](int fd) -> int {
        // Which behaviour: the first byte the test sends before anything else.
        std::uint8_t mode = 0;
        if (::read(fd, &mode, 1) != 1)
            return 1;
        if (mode == 0)
            return realHelper(fd);
        (void)writeImeFrame(fd, encodeImeMessage(ReadyReply{}));
        auto request = readImeFrame(fd, -1);
        if (mode == 1) { // hang
            ::pause();
            return 0;
        }
        if (mode == 2) { // a reply of the wrong kind
            (void)writeImeFrame(fd, encodeImeMessage(InkReply{}));
            ::pause();
        }
        if (mode == 3) { // bytes that do not parse
            const std::uint8_t junk[] = {3, 0, 0, 0, 0x99, 1, 2};
            (void)!::write(fd, junk, sizeof junk);
            ::pause();
        }
        return 0; // mode 4: dies at the request
    });
    std::uint8_t nextMode = 1;
    auto client = std::make_shared<ImeHelperClient>(
        [&]() -> minsheng::Result<ImeHelperProcess, std::string> {
            auto p = spawner();
            if (p) {
                const std::uint8_t mode = nextMode <= 4 ? nextMode++ : 0;
                REQUIRE(::write(p->fd, &mode, 1) == 1);
                ++started;
            }
            return p;
        },
        ImeHelperClient::Options{60000, 300, 50});
    HelperInputMethod ime(client);
    StringTarget field{};
    field.text = "已写";
    std::vector<pid_t> pids;
    for (int failure = 1; failure <= 4; ++failure) {
        pids.push_back(client->pid());
        ime.feed(ImeKey{ImeKey::Kind::Text, "a"}, field);
        INFO("failure " << failure);
        CHECK(ime.interrupted());
        CHECK(client->losses() == static_cast<std::uint64_t>(failure));
        CHECK(field.text == "已写");
    }
    for (pid_t p : pids)
        CHECK_FALSE(alive(p)); // killed and reaped, none left behind
    ime.feed(ImeKey{ImeKey::Kind::Text, "a"}, field);
    CHECK_FALSE(ime.interrupted());
    CHECK(ime.preedit() == "a");
    CHECK(started == 5);
}

TEST_CASE("a helper that cannot be started is a typed failure", "[ime][client]") {
    auto client = std::make_shared<ImeHelperClient>(
        execImeHelper({"/nonexistent/minsheng-kiosk", "ime-helper"}));
    auto r = client->ready();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == ImeHelperFailure::SpawnFailed);
    HelperInputMethod ime(client);
    StringTarget field;
    ime.feed(ImeKey{ImeKey::Kind::Text, "a"}, field);
    CHECK(ime.interrupted());
    CHECK(field.text.empty());
}
