#include "kiosk/core/ime_wire.hpp"

#include "sync/forms/text_rules.hpp"

#include <sodium.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace minsheng::kiosk {

namespace {

enum Type : std::uint8_t {
    kKey = 0x01,
    kChoose = 0x02,
    kCommit = 0x03,
    kReset = 0x04,
    kInk = 0x05,
    kReady = 0x80,
    kIme = 0x81,
    kInkReply = 0x82,
};

class Writer {
public:
    Writer() { m_out.resize(kImeFrameHeader); }
    void u8(std::uint8_t v) { m_out.push_back(v); }
    void u16(std::uint16_t v) {
        u8(static_cast<std::uint8_t>(v));
        u8(static_cast<std::uint8_t>(v >> 8));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v));
        u16(static_cast<std::uint16_t>(v >> 16));
    }
    void str(std::string_view s) {
        // Longer strings are a programmer error on the sending side; cut so the frame stays
        // parseable (the parser would reject it).
        const std::size_t n = std::min(s.size(), kMaxImeString);
        u16(static_cast<std::uint16_t>(n));
        m_out.insert(m_out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(n));
    }
    void strings(const std::vector<std::string>& v) {
        const std::size_t n = std::min(v.size(), kMaxImeCandidates);
        u16(static_cast<std::uint16_t>(n));
        for (std::size_t i = 0; i < n; ++i)
            str(v[i]);
    }
    std::vector<std::uint8_t> finish() {
        const auto n = static_cast<std::uint32_t>(m_out.size() - kImeFrameHeader);
        for (std::size_t i = 0; i < kImeFrameHeader; ++i)
            m_out[i] = static_cast<std::uint8_t>(n >> (8 * i));
        return std::move(m_out);
    }

private:
    std::vector<std::uint8_t> m_out;
};

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> in) : m_in(in) {}
    bool u8(std::uint8_t& v) {
        if (m_at + 1 > m_in.size())
            return fail(ImeWireError::Truncated);
        v = m_in[m_at++];
        return true;
    }
    bool u16(std::uint16_t& v) {
        std::uint8_t lo = 0, hi = 0;
        if (!u8(lo) || !u8(hi))
            return false;
        v = static_cast<std::uint16_t>(lo | (hi << 8));
        return true;
    }
    bool u32(std::uint32_t& v) {
        std::uint16_t lo = 0, hi = 0;
        if (!u16(lo) || !u16(hi))
            return false;
        v = lo | (static_cast<std::uint32_t>(hi) << 16);
        return true;
    }
    bool flag(bool& v) {
        std::uint8_t b = 0;
        if (!u8(b))
            return false;
        if (b > 1)
            return fail(ImeWireError::BadFlag);
        v = b == 1;
        return true;
    }
    bool str(std::string& s) {
        std::uint16_t n = 0;
        if (!u16(n))
            return false;
        if (n > kMaxImeString)
            return fail(ImeWireError::StringTooLong);
        if (m_at + n > m_in.size())
            return fail(ImeWireError::Truncated);
        s.assign(reinterpret_cast<const char*>(m_in.data() + m_at), n);
        m_at += n;
        if (forms::checkText(s, true).problem == forms::TextProblem::InvalidUtf8)
            return fail(ImeWireError::BadUtf8);
        return true;
    }
    bool count(std::size_t& n, std::size_t limit) {
        std::uint16_t v = 0;
        if (!u16(v))
            return false;
        if (v > limit)
            return fail(ImeWireError::TooMany);
        n = v;
        return true;
    }
    bool strings(std::vector<std::string>& v) {
        std::size_t n = 0;
        if (!count(n, kMaxImeCandidates))
            return false;
        v.resize(n);
        for (auto& s : v)
            if (!str(s))
                return false;
        return true;
    }
    bool end() { return m_at == m_in.size() ? true : fail(ImeWireError::TrailingBytes); }
    bool fail(ImeWireError e) {
        m_error = e;
        return false;
    }
    ImeWireError error() const { return m_error; }

private:
    std::span<const std::uint8_t> m_in;
    std::size_t m_at = 0;
    ImeWireError m_error = ImeWireError::Truncated;
};

bool readInk(Reader& r, InkRequest& m) {
    std::size_t n = 0;
    if (!r.u16(m.max) || !r.count(n, kMaxInkPoints))
        return false;
    m.ink.resize(n);
    for (InkPoint& p : m.ink) {
        std::uint16_t x = 0, y = 0;
        if (!r.u16(x) || !r.u16(y) || !r.u16(p.stroke))
            return false;
        p.x = static_cast<std::int16_t>(x);
        p.y = static_cast<std::int16_t>(y);
        if (p.x < 0 || p.x > kInkSize || p.y < 0 || p.y > kInkSize || p.stroke >= kMaxInkStrokes)
            return r.fail(ImeWireError::BadInkPoint);
    }
    return true;
}

bool readIme(Reader& r, ImeReply& m) {
    std::size_t n = 0;
    if (!r.count(n, kMaxImeEdits))
        return false;
    m.edits.resize(n);
    for (ImeEdit& e : m.edits) {
        std::uint8_t tag = 0;
        if (!r.u8(tag))
            return false;
        if (tag == 2)
            e.backspace = true;
        else if (tag != 1)
            return r.fail(ImeWireError::BadEdit);
        else if (!r.str(e.text))
            return false;
    }
    return r.str(m.preedit) && r.strings(m.candidates);
}

} // namespace

std::string_view imeWireErrorName(ImeWireError e) {
    switch (e) {
    case ImeWireError::EmptyFrame:
        return "empty frame";
    case ImeWireError::FrameTooLong:
        return "frame too long";
    case ImeWireError::UnknownType:
        return "unknown message type";
    case ImeWireError::Truncated:
        return "truncated message";
    case ImeWireError::TrailingBytes:
        return "bytes after the message";
    case ImeWireError::BadFlag:
        return "flag not 0 or 1";
    case ImeWireError::BadKeyKind:
        return "unknown key kind";
    case ImeWireError::BadEdit:
        return "unknown edit";
    case ImeWireError::StringTooLong:
        return "string too long";
    case ImeWireError::BadUtf8:
        return "string not UTF-8";
    case ImeWireError::TooMany:
        return "too many items";
    case ImeWireError::BadInkPoint:
        return "ink point out of range";
    }
    return "?";
}

std::vector<std::uint8_t> encodeImeMessage(const ImeMessage& message) {
    Writer w;
    struct Visit {
        Writer& w;
        void operator()(const KeyRequest& m) {
            w.u8(kKey);
            w.u8(static_cast<std::uint8_t>(m.kind));
            w.u8(m.multiline);
            w.str(m.text);
        }
        void operator()(const ChooseRequest& m) {
            w.u8(kChoose);
            w.u8(m.multiline);
            w.u32(m.index);
        }
        void operator()(const CommitRequest& m) {
            w.u8(kCommit);
            w.u8(m.multiline);
        }
        void operator()(const ResetRequest&) { w.u8(kReset); }
        void operator()(const InkRequest& m) {
            w.u8(kInk);
            w.u16(m.max);
            const std::size_t n = std::min(m.ink.size(), kMaxInkPoints);
            w.u16(static_cast<std::uint16_t>(n));
            for (std::size_t i = 0; i < n; ++i) {
                w.u16(static_cast<std::uint16_t>(m.ink[i].x));
                w.u16(static_cast<std::uint16_t>(m.ink[i].y));
                w.u16(m.ink[i].stroke);
            }
        }
        void operator()(const ReadyReply& m) {
            w.u8(kReady);
            w.str(m.pinyinError);
            w.str(m.handwritingError);
        }
        void operator()(const ImeReply& m) {
            w.u8(kIme);
            const std::size_t n = std::min(m.edits.size(), kMaxImeEdits);
            w.u16(static_cast<std::uint16_t>(n));
            for (std::size_t i = 0; i < n; ++i) {
                w.u8(m.edits[i].backspace ? 2 : 1);
                if (!m.edits[i].backspace)
                    w.str(m.edits[i].text);
            }
            w.str(m.preedit);
            w.strings(m.candidates);
        }
        void operator()(const InkReply& m) {
            w.u8(kInkReply);
            w.strings(m.candidates);
        }
    };
    std::visit(Visit{w}, message);
    return w.finish();
}

Result<std::uint32_t, ImeWireError>
decodeImeFrameLength(std::span<const std::uint8_t, kImeFrameHeader> header) {
    std::uint32_t n = 0;
    for (std::size_t i = 0; i < kImeFrameHeader; ++i)
        n |= static_cast<std::uint32_t>(header[i]) << (8 * i);
    if (n == 0)
        return fail(ImeWireError::EmptyFrame);
    if (n > kMaxImeFrameBody)
        return fail(ImeWireError::FrameTooLong);
    return n;
}

Result<ImeMessage, ImeWireError> decodeImeMessage(std::span<const std::uint8_t> body) {
    if (body.empty())
        return fail(ImeWireError::EmptyFrame);
    if (body.size() > kMaxImeFrameBody)
        return fail(ImeWireError::FrameTooLong);
    Reader r(body);
    std::uint8_t type = 0;
    (void)r.u8(type);
    ImeMessage out;
    bool ok = false;
    switch (type) {
    case kKey: {
        KeyRequest m;
        std::uint8_t kind = 0;
        ok = r.u8(kind) && (kind <= 3 || r.fail(ImeWireError::BadKeyKind)) && r.flag(m.multiline) &&
             r.str(m.text);
        m.kind = static_cast<ImeKey::Kind>(kind);
        out = std::move(m);
        break;
    }
    case kChoose: {
        ChooseRequest m;
        ok = r.flag(m.multiline) && r.u32(m.index);
        out = m;
        break;
    }
    case kCommit: {
        CommitRequest m;
        ok = r.flag(m.multiline);
        out = m;
        break;
    }
    case kReset:
        ok = true;
        out = ResetRequest{};
        break;
    case kInk: {
        InkRequest m;
        ok = readInk(r, m);
        out = std::move(m);
        break;
    }
    case kReady: {
        ReadyReply m;
        ok = r.str(m.pinyinError) && r.str(m.handwritingError);
        out = std::move(m);
        break;
    }
    case kIme: {
        ImeReply m;
        ok = readIme(r, m);
        out = std::move(m);
        break;
    }
    case kInkReply: {
        InkReply m;
        ok = r.strings(m.candidates);
        out = std::move(m);
        break;
    }
    default:
        return fail(ImeWireError::UnknownType);
    }
    if (!ok || !r.end()) {
        wipeImeMessage(out);
        return fail(r.error());
    }
    return out;
}

void wipeText(std::string& text) {
    if (!text.empty())
        sodium_memzero(text.data(), text.size());
    text.clear();
}

void wipeBytes(std::vector<std::uint8_t>& bytes) {
    if (!bytes.empty())
        sodium_memzero(bytes.data(), bytes.size());
    bytes.clear();
}

void wipeImeMessage(ImeMessage& message) {
    auto strings = [](std::vector<std::string>& v) {
        for (auto& s : v)
            wipeText(s);
        v.clear();
    };
    struct Visit {
        decltype(strings)& wipeAll;
        void operator()(KeyRequest& m) { wipeText(m.text); }
        void operator()(ChooseRequest&) {}
        void operator()(CommitRequest&) {}
        void operator()(ResetRequest&) {}
        void operator()(InkRequest& m) {
            if (!m.ink.empty())
                sodium_memzero(m.ink.data(), m.ink.size() * sizeof(InkPoint));
            m.ink.clear();
        }
        void operator()(ReadyReply& m) {
            wipeText(m.pinyinError);
            wipeText(m.handwritingError);
        }
        void operator()(ImeReply& m) {
            for (auto& e : m.edits)
                wipeText(e.text);
            m.edits.clear();
            wipeText(m.preedit);
            wipeAll(m.candidates);
        }
        void operator()(InkReply& m) { wipeAll(m.candidates); }
    };
    std::visit(Visit{strings}, message);
}

bool writeImeFrame(int fd, std::span<const std::uint8_t> frame) {
    std::size_t done = 0;
    while (done < frame.size()) {
        const ssize_t n = ::send(fd, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

namespace {

using Clock = std::chrono::steady_clock;

/// Fills `out` completely before the deadline (none when timeoutMs < 0).
std::optional<ImeChannelError::Kind> readExactly(int fd, std::span<std::uint8_t> out, int timeoutMs,
                                                 Clock::time_point deadline) {
    std::size_t done = 0;
    while (done < out.size()) {
        if (timeoutMs >= 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                    .count();
            if (left <= 0)
                return ImeChannelError::Kind::Timeout;
            pollfd p{fd, POLLIN, 0};
            const int r = ::poll(&p, 1, static_cast<int>(left));
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return ImeChannelError::Kind::Io;
            if (r == 0)
                return ImeChannelError::Kind::Timeout;
        }
        const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == ECONNRESET ? ImeChannelError::Kind::Closed : ImeChannelError::Kind::Io;
        if (n == 0)
            return ImeChannelError::Kind::Closed;
        done += static_cast<std::size_t>(n);
    }
    return std::nullopt;
}

} // namespace

Result<ImeMessage, ImeChannelError> readImeFrame(int fd, int timeoutMs) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeoutMs, 0));
    std::array<std::uint8_t, kImeFrameHeader> header{};
    if (auto e = readExactly(fd, header, timeoutMs, deadline))
        return fail(ImeChannelError{*e});
    auto length = decodeImeFrameLength(header);
    if (!length)
        return fail(ImeChannelError{ImeChannelError::Kind::Malformed, length.error()});
    std::vector<std::uint8_t> body(*length);
    if (auto e = readExactly(fd, body, timeoutMs, deadline)) {
        wipeBytes(body);
        return fail(ImeChannelError{*e});
    }
    auto message = decodeImeMessage(body);
    wipeBytes(body);
    if (!message)
        return fail(ImeChannelError{ImeChannelError::Kind::Malformed, message.error()});
    return std::move(message.value());
}

} // namespace minsheng::kiosk
