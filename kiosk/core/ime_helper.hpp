// The input-method helper: the process that runs librime (PinyinInputMethod) and zinnia
// (ZinniaRecognizer) for one session of the kiosk window, so that whatever those libraries keep
// of a parent's words dies with the process when the session is wiped (ime_client.hpp starts and
// ends it; docs/architecture.md, "Where a parent's text lives").
//
// It serves the messages of ime_wire.hpp on one inherited socket and nothing else:
//   1. It dies with the window: PR_SET_PDEATHSIG (SIGKILL), and it checks that its parent is
//      still the process that started it (closing the race with an early death).
//   2. It cannot be dumped or attached to by a process of the same user (PR_SET_DUMPABLE 0), and
//      gains no privileges (PR_SET_NO_NEW_PRIVS).
//   3. No network, no disk: once its engines are open, a seccomp filter makes socket(),
//      socketpair(), connect(), bind(), listen(), accept(), every open for writing, creat(),
//      mkdir(), rename(), link(), symlink() and truncate() fail with EPERM; its only channel is
//      the inherited socket. File descriptors other than 0-2 and that socket are closed first.
//      Rime's user data directory is the empty private one of PinyinInputMethod (invariant 2
//      there), removed when the helper exits.
//   4. A malformed request ends it (exit status 3): only a broken window sends one.
#pragma once

#include "crypto/result.hpp"

#include <filesystem>
#include <string>
#include <sys/types.h>

namespace minsheng::kiosk {

struct ImeHelperOptions {
    std::filesystem::path rimeData;         // empty: no pinyin
    std::filesystem::path handwritingModel; // empty: no handwriting
};

/// Confines the calling process as points 1-2 and closes every descriptor but 0-2 and
/// `socketFd`. `parent` is the pid that must be our parent (0: not checked).
[[nodiscard]] Result<Ok, std::string> confineImeHelper(int socketFd, pid_t parent);

/// Point 3: the seccomp filter. Irreversible for this process.
[[nodiscard]] Result<Ok, std::string> forbidNetworkAndWrites();

/// Opens the engines, applies forbidNetworkAndWrites(), sends ReadyReply and serves requests
/// on `socketFd` until the window closes its end. Returns the exit status: 0 at end of input,
/// 3 after a malformed request, 4 when the socket fails, 5 when the filter cannot be applied.
int serveImeHelper(int socketFd, const ImeHelperOptions& options);

} // namespace minsheng::kiosk
