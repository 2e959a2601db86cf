#include "kiosk/core/ime_helper.hpp"

#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/ime_wire.hpp"
#include "kiosk/core/pinyin_input_method.hpp"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

namespace minsheng::kiosk {

namespace {

#if defined(__x86_64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr std::uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
#error "the input-method helper's seccomp filter knows x86_64 and aarch64"
#endif

std::string lastError(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

/// Records what the engine does to the field, for the reply.
class EditRecorder final : public TextTarget {
public:
    EditRecorder(std::vector<ImeEdit>& edits, bool multiline)
        : m_edits(edits), m_multiline(multiline) {}
    void insert(std::string_view utf8) override {
        if (!utf8.empty() && m_edits.size() < kMaxImeEdits)
            m_edits.push_back(ImeEdit{false, std::string(utf8)});
    }
    void backspace() override {
        if (m_edits.size() < kMaxImeEdits)
            m_edits.push_back(ImeEdit{true, {}});
    }
    bool multiline() const override { return m_multiline; }

private:
    std::vector<ImeEdit>& m_edits;
    bool m_multiline;
};

ImeReply stateOf(const InputMethod& ime, std::vector<ImeEdit> edits) {
    ImeReply r;
    r.edits = std::move(edits);
    r.preedit = std::string(ime.preedit());
    const std::size_t n = std::min(ime.candidateCount(), kMaxImeCandidates);
    for (std::size_t i = 0; i < n; ++i)
        r.candidates.emplace_back(ime.candidate(i));
    return r;
}

} // namespace

Result<Ok, std::string> confineImeHelper(int socketFd, pid_t parent) {
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return fail(lastError("prctl(PR_SET_PDEATHSIG)"));
    if (parent > 0 && ::getppid() != parent)
        return fail(std::string("the kiosk window that started this helper is gone"));
    if (::prctl(PR_SET_DUMPABLE, 0) != 0)
        return fail(lastError("prctl(PR_SET_DUMPABLE)"));
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail(lastError("prctl(PR_SET_NO_NEW_PRIVS)"));
    // Whatever the window had open (its X connection, the outbox) is not ours to hold.
    for (int fd = 3; fd < socketFd; ++fd)
        ::close(fd);
    if (::syscall(SYS_close_range, socketFd + 1, ~0U, 0) != 0)
        return fail(lastError("close_range"));
    return Ok{};
}

Result<Ok, std::string> forbidNetworkAndWrites() {
    constexpr std::uint32_t kDeny = SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA);
    constexpr std::uint32_t kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
    const std::vector<long> denied = {
        SYS_socket,  SYS_socketpair, SYS_connect,   SYS_bind,     SYS_listen,    SYS_accept,
        SYS_accept4, SYS_mkdirat,    SYS_renameat2, SYS_linkat,   SYS_symlinkat, SYS_truncate,
#ifdef SYS_creat
        SYS_creat,   SYS_mkdir,      SYS_rename,    SYS_renameat, SYS_link,      SYS_symlink,
#endif
#ifdef SYS_openat2
        SYS_openat2,
#endif
    };
    std::vector<sock_filter> f;
    auto stmt = [&](std::uint16_t code, std::uint32_t k) {
        f.push_back(sock_filter BPF_STMT(code, k));
    };
    auto jump = [&](std::uint16_t code, std::uint32_t k, std::uint8_t jt, std::uint8_t jf) {
        f.push_back(sock_filter BPF_JUMP(code, k, jt, jf));
    };
    stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch));
    jump(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0);
    stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
#if defined(__x86_64__)
    jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1); // the x32 ABI: never ours
    stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
#endif
    for (long nr : denied) {
        jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 1);
        stmt(BPF_RET | BPF_K, kDeny);
    }
    // open(path, flags) and openat(dir, path, flags): reading is fine, writing is not.
    auto openFlagsAt = [&](long nr, std::uint32_t argIndex) {
        jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(nr), 0, 4);
        stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args) + argIndex * 8);
        jump(BPF_JMP | BPF_JSET | BPF_K, kWriteFlags, 0, 1);
        stmt(BPF_RET | BPF_K, kDeny);
        stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    };
    openFlagsAt(SYS_openat, 2);
#ifdef SYS_open
    stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr));
    openFlagsAt(SYS_open, 1);
#endif
    stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    sock_fprog prog{static_cast<unsigned short>(f.size()), f.data()};
    if (::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        return fail(lastError("seccomp filter"));
    return Ok{};
}

int serveImeHelper(int socketFd, const ImeHelperOptions& options) {
    ReadyReply ready;
    std::unique_ptr<PinyinInputMethod> pinyin;
    if (!options.rimeData.empty()) {
        auto p = PinyinInputMethod::open(options.rimeData, [](const std::string& line) {
            std::cerr << "minsheng-kiosk ime-helper: " << line << "\n";
        });
        if (p)
            pinyin = std::move(p.value());
        else
            ready.pinyinError = p.error();
    } else {
        ready.pinyinError = "pinyin is off";
    }
    std::unique_ptr<ZinniaRecognizer> zinnia;
    if (!options.handwritingModel.empty()) {
        auto z = ZinniaRecognizer::open(options.handwritingModel);
        if (z)
            zinnia = std::move(z.value());
        else
            ready.handwritingError = z.error().message;
    } else {
        ready.handwritingError = "handwriting is off";
    }
    if (auto sealed = forbidNetworkAndWrites(); !sealed) {
        std::cerr << "minsheng-kiosk ime-helper: " << sealed.error() << "\n";
        return 5;
    }
    if (!writeImeFrame(socketFd, encodeImeMessage(ready)))
        return 4;
    PassThroughInputMethod direct; // when pinyin failed to open, keys type themselves
    InputMethod& ime = pinyin ? static_cast<InputMethod&>(*pinyin) : direct;
    for (;;) {
        auto request = readImeFrame(socketFd, -1);
        if (!request) {
            if (request.error().kind == ImeChannelError::Kind::Closed)
                return 0;
            if (request.error().kind == ImeChannelError::Kind::Malformed) {
                std::cerr << "minsheng-kiosk ime-helper: malformed request ("
                          << imeWireErrorName(request.error().wire) << ")\n";
                return 3;
            }
            return 4;
        }
        ImeMessage reply;
        std::vector<ImeEdit> edits;
        if (auto* k = std::get_if<KeyRequest>(&*request)) {
            EditRecorder target(edits, k->multiline);
            ime.feed(ImeKey{k->kind, k->text}, target);
            reply = stateOf(ime, std::move(edits));
        } else if (auto* c = std::get_if<ChooseRequest>(&*request)) {
            EditRecorder target(edits, c->multiline);
            ime.choose(c->index, target);
            reply = stateOf(ime, std::move(edits));
        } else if (auto* m = std::get_if<CommitRequest>(&*request)) {
            EditRecorder target(edits, m->multiline);
            ime.commitComposition(target);
            reply = stateOf(ime, std::move(edits));
        } else if (std::holds_alternative<ResetRequest>(*request)) {
            ime.reset();
            reply = stateOf(ime, {});
        } else if (auto* ink = std::get_if<InkRequest>(&*request)) {
            InkReply r;
            if (zinnia)
                r.candidates =
                    zinnia->recognize(ink->ink, std::min<std::size_t>(ink->max, kMaxImeCandidates));
            reply = std::move(r);
        } else {
            std::cerr << "minsheng-kiosk ime-helper: a reply where a request belongs\n";
            return 3;
        }
        wipeImeMessage(*request);
        auto frame = encodeImeMessage(reply);
        wipeImeMessage(reply);
        const bool sent = writeImeFrame(socketFd, frame);
        wipeBytes(frame);
        if (!sent)
            return 0; // the window closed its end while we worked
    }
}

} // namespace minsheng::kiosk
