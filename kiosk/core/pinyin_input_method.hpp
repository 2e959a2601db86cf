// Pinyin input through librime (Debian's librime 1.8.5), schema luna_pinyin_simp patched by
// assets/rime/ (docs/kiosk-ui.md, "Text entry").
//
// Data. The Rime data are deployed ahead of time (`rime_deployer --build`, a build step; the
// packaged kiosk ships them in /usr/share/minsheng/rime): the folder holds default.yaml,
// luna_pinyin_simp.schema.yaml and the compiled dictionary (minsheng_pinyin.*.bin). At run time
// that folder is Rime's shared, prebuilt and staging directory, so nothing is compiled and
// nothing is written there.
//
// Privacy invariants:
//   1. Nothing is learnt. The schema patch sets translator/enable_user_dict: false, so Rime
//      keeps no user dictionary and no candidate order changes with use.
//   2. Nothing is kept on disk. Rime's user data directory is a fresh private directory
//      (mode 0700) of this process, minsheng-rime-<pid>-XXXXXX under $XDG_RUNTIME_DIR or the
//      temporary directory, removed when the engine shuts down at exit; Rime writes nothing into
//      it. One left by a killed process is removed by the next engine that starts.
//   3. reset() (every session wipe, every new field) ends the Rime session and starts a new
//      one, so no composition and no commit history survive it; this object's own copies of
//      the preedit and candidates are zeroed.
//   4. librime logs nothing: its minimum log level is FATAL and it writes no log files; its
//      notifications (deployment, schema load) and our own failures go to the LogSink.
//
// The engine is process-wide (librime has one): the first PinyinInputMethod::open() starts it
// with its data folder; later ones share it and must name the same folder. Not thread-safe: use
// from one thread (the UI thread).
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/input_method.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace minsheng::kiosk {

class RimeEngine;

/// Where librime's messages go (one line each, without newline).
using ImeLogSink = std::function<void(const std::string& line)>;

class PinyinInputMethod final : public InputMethod {
public:
    /// At most this many candidates are fetched per keystroke (the bar pages through them).
    static constexpr std::size_t kMaxCandidates = 90;

    /// Starts (or joins) the engine on the deployed data in `dataDir` and opens a Rime session.
    /// The error names the folder and the fix.
    static Result<std::unique_ptr<PinyinInputMethod>, std::string>
    open(const std::filesystem::path& dataDir, ImeLogSink log = {});

    ~PinyinInputMethod() override;
    PinyinInputMethod(const PinyinInputMethod&) = delete;
    PinyinInputMethod& operator=(const PinyinInputMethod&) = delete;

    std::string_view name() const override { return "pinyin"; }
    /// Letters a-z compose; space commits the first candidate, enter the letters as typed,
    /// backspace deletes from the composition; any other key commits the first candidate and
    /// then types itself. With no composition every key types itself (as PassThrough).
    void feed(const ImeKey& key, TextTarget& target) override;
    std::string_view preedit() const override { return m_preedit; }
    std::size_t candidateCount() const override { return m_candidates.size(); }
    std::string_view candidate(std::size_t index) const override;
    /// Selects candidate `index`. When it covers only the start of the letters (我 for
    /// "woyao"), the composition goes on with the rest; the field gets the text once all of it
    /// is chosen.
    void choose(std::size_t index, TextTarget& target) override;
    void commitComposition(TextTarget& target) override;
    void reset() override;

    /// The user data directory of the running engine (tests check it stays empty).
    static std::filesystem::path userDataDir();
    /// Removes the private directories in `base` that engines of processes now gone (killed
    /// before they could remove their own) left: "minsheng-rime-<pid>-*" of this user whose
    /// pid is not alive. Every engine start does this.
    static void removeStaleUserDirs(const std::filesystem::path& base);

private:
    PinyinInputMethod(std::shared_ptr<RimeEngine> engine, std::uintptr_t session);
    bool composing() const;
    void commitFirst(TextTarget& target);
    void takeCommit(TextTarget& target);
    void refresh();
    void wipeCopies();

    std::shared_ptr<RimeEngine> m_engine;
    std::uintptr_t m_session = 0;
    std::string m_preedit;
    std::vector<std::string> m_candidates;
};

} // namespace minsheng::kiosk
