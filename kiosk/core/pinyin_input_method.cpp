#include "kiosk/core/pinyin_input_method.hpp"

#include "kiosk/core/ime_wire.hpp" // wipeText

#include <rime_api.h>
#include <sodium.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace minsheng::kiosk {

namespace fs = std::filesystem;

namespace {

constexpr int kBackSpace = 0xff08; // X11 keysym, as librime expects

} // namespace

void PinyinInputMethod::removeStaleUserDirs(const fs::path& base) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(base, ec)) {
        const std::string name = e.path().filename().string();
        static constexpr std::string_view kPrefix = "minsheng-rime-";
        if (name.rfind(kPrefix, 0) != 0)
            continue;
        const long pid = std::strtol(name.c_str() + kPrefix.size(), nullptr, 10);
        struct stat st {};
        if (pid <= 0 || ::lstat(e.path().c_str(), &st) != 0 || !S_ISDIR(st.st_mode) ||
            st.st_uid != ::geteuid() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)
            continue;
        std::error_code rm;
        fs::remove_all(e.path(), rm);
    }
}

/// librime's process-wide state: setup and initialize once, finalize and remove the private
/// user data directory when the last PinyinInputMethod is gone.
class RimeEngine {
public:
    static Result<std::shared_ptr<RimeEngine>, std::string> acquire(const fs::path& dataDir,
                                                                    ImeLogSink log);
    ~RimeEngine();
    RimeApi* api() const { return m_api; }
    const fs::path& userDir() const { return m_userDir; }
    static std::weak_ptr<RimeEngine>& current() {
        static std::weak_ptr<RimeEngine> w;
        return w;
    }

private:
    static void onNotification(void* self, RimeSessionId, const char* type, const char* value);
    RimeApi* m_api = nullptr;
    fs::path m_dataDir;
    fs::path m_userDir;
    std::string m_dataDirStr, m_userDirStr; // the traits point into these
    ImeLogSink m_log;
};

Result<std::shared_ptr<RimeEngine>, std::string> RimeEngine::acquire(const fs::path& dataDir,
                                                                     ImeLogSink log) {
    const fs::path dir = fs::absolute(dataDir).lexically_normal();
    if (auto e = current().lock()) {
        if (e->m_dataDir != dir) {
            return fail(dir.string() + ": the pinyin engine already runs on " +
                        e->m_dataDir.string() + "; one process uses one Rime data folder.");
        }
        return e;
    }
    std::error_code ec;
    for (const char* f : {"default.yaml", "luna_pinyin_simp.schema.yaml"}) {
        if (!fs::exists(dir / f, ec)) {
            return fail(dir.string() + ": no deployed Rime data (" + f +
                        " is missing). Build the target minsheng_rime_data (it runs "
                        "rime_deployer --build), or set [input] rime_data in the kiosk "
                        "configuration to the deployed folder.");
        }
    }
    RimeApi* api = rime_get_api();
    if (!api)
        return fail(std::string("librime: rime_get_api() returned nothing"));
    auto e = std::shared_ptr<RimeEngine>(new RimeEngine());
    e->m_api = api;
    e->m_dataDir = dir;
    e->m_log = std::move(log);
    // A private, empty user data directory for this process (invariant 2).
    const char* env = std::getenv("XDG_RUNTIME_DIR");
    const fs::path base =
        env && *env && fs::is_directory(env, ec) ? fs::path(env) : fs::temp_directory_path();
    PinyinInputMethod::removeStaleUserDirs(base);
    std::string tmpl =
        (base / ("minsheng-rime-" + std::to_string(::getpid()) + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) {
        return fail("cannot create a private directory for the pinyin engine under " +
                    fs::path(tmpl).parent_path().string());
    }
    e->m_userDir = tmpl;
    e->m_dataDirStr = dir.string();
    e->m_userDirStr = e->m_userDir.string();

    RIME_STRUCT(RimeTraits, traits);
    traits.shared_data_dir = e->m_dataDirStr.c_str();
    traits.user_data_dir = e->m_userDirStr.c_str();
    traits.prebuilt_data_dir = e->m_dataDirStr.c_str();
    traits.staging_dir = e->m_dataDirStr.c_str();
    traits.distribution_name = "Minsheng";
    traits.distribution_code_name = "minsheng";
    traits.distribution_version = MINSHENG_VERSION;
    traits.app_name = "rime.minsheng";
    traits.min_log_level = 3;        // FATAL only (invariant 4)
    traits.log_dir = "";             // no log files
    static std::once_flag setupOnce; // librime's setup (glog) may run once per process
    std::call_once(setupOnce, [&] { api->setup(&traits); });
    api->set_notification_handler(&RimeEngine::onNotification, e.get());
    api->initialize(&traits);
    current() = e;
    return e;
}

void RimeEngine::onNotification(void* self, RimeSessionId, const char* type, const char* value) {
    auto* e = static_cast<RimeEngine*>(self);
    // "schema" and "option" come with every new session; only "deploy" means trouble here
    // (the data are deployed at build time, so the engine should never try).
    if (e->m_log && type && std::string_view(type) == "deploy")
        e->m_log(std::string("rime: ") + (type ? type : "") + " " + (value ? value : ""));
}

RimeEngine::~RimeEngine() {
    m_api->set_notification_handler(nullptr, nullptr);
    m_api->finalize();
    std::error_code ec;
    fs::remove_all(m_userDir, ec);
    if (ec && m_log)
        m_log("rime: cannot remove " + m_userDir.string() + ": " + ec.message());
}

Result<std::unique_ptr<PinyinInputMethod>, std::string>
PinyinInputMethod::open(const fs::path& dataDir, ImeLogSink log) {
    auto engine = RimeEngine::acquire(dataDir, log);
    if (!engine)
        return fail(engine.error());
    RimeApi* api = (*engine)->api();
    const RimeSessionId s = api->create_session();
    if (!s) {
        return fail(fs::absolute(dataDir).string() +
                    ": librime could not open a session on the deployed data; deploy them again "
                    "(target minsheng_rime_data).");
    }
    char schema[64] = {};
    if (!api->get_current_schema(s, schema, sizeof(schema)) ||
        std::string_view(schema) != "luna_pinyin_simp") {
        api->destroy_session(s);
        return fail(fs::absolute(dataDir).string() +
                    ": the deployed Rime data do not select luna_pinyin_simp (got \"" +
                    std::string(schema) + "\"); deploy them with assets/rime/.");
    }
    return std::unique_ptr<PinyinInputMethod>(new PinyinInputMethod(std::move(*engine), s));
}

PinyinInputMethod::PinyinInputMethod(std::shared_ptr<RimeEngine> engine, std::uintptr_t session)
    : m_engine(std::move(engine)), m_session(session) {
    m_engine->api()->set_option(m_session, "ascii_mode", False);
    m_engine->api()->set_option(m_session, "zh_simp", True);
}

PinyinInputMethod::~PinyinInputMethod() {
    wipeCopies();
    m_engine->api()->destroy_session(m_session);
}

fs::path PinyinInputMethod::userDataDir() {
    auto e = RimeEngine::current().lock();
    return e ? e->userDir() : fs::path();
}

std::string_view PinyinInputMethod::candidate(std::size_t index) const {
    // Never a null view: callers may hand it on as a C range (ImGui's AddText does).
    return index < m_candidates.size() ? std::string_view(m_candidates[index])
                                       : std::string_view("");
}

bool PinyinInputMethod::composing() const {
    return !m_preedit.empty();
}

void PinyinInputMethod::takeCommit(TextTarget& target) {
    RimeApi* api = m_engine->api();
    RIME_STRUCT(RimeCommit, commit);
    if (api->get_commit(m_session, &commit)) {
        if (commit.text) {
            target.insert(commit.text);
            sodium_memzero(commit.text, std::char_traits<char>::length(commit.text));
        }
        api->free_commit(&commit);
    }
}

void PinyinInputMethod::refresh() {
    wipeCopies();
    RimeApi* api = m_engine->api();
    RIME_STRUCT(RimeContext, ctx);
    if (api->get_context(m_session, &ctx)) {
        if (ctx.composition.length > 0 && ctx.composition.preedit)
            m_preedit = ctx.composition.preedit;
        api->free_context(&ctx);
    }
    if (m_preedit.empty())
        return;
    RimeCandidateListIterator it = {};
    if (api->candidate_list_begin(m_session, &it)) {
        while (m_candidates.size() < kMaxCandidates && api->candidate_list_next(&it))
            if (it.candidate.text)
                m_candidates.emplace_back(it.candidate.text);
        api->candidate_list_end(&it);
    }
}

void PinyinInputMethod::wipeCopies() {
    wipeText(m_preedit);
    for (auto& c : m_candidates)
        wipeText(c);
    m_candidates.clear();
}

void PinyinInputMethod::feed(const ImeKey& key, TextTarget& target) {
    RimeApi* api = m_engine->api();
    switch (key.kind) {
    case ImeKey::Kind::Text:
        if (key.text.size() == 1 && key.text[0] >= 'a' && key.text[0] <= 'z') {
            api->process_key(m_session, key.text[0], 0);
            takeCommit(target);
            refresh();
            return;
        }
        commitFirst(target); // the first candidate, then the key itself
        target.insert(key.text);
        return;
    case ImeKey::Kind::Space:
        if (composing()) {
            commitFirst(target);
            return;
        }
        target.insert(" ");
        return;
    case ImeKey::Kind::Enter:
        if (composing()) {
            commitComposition(target);
            return;
        }
        if (target.multiline())
            target.insert("\n");
        return;
    case ImeKey::Kind::Backspace:
        if (composing()) {
            api->process_key(m_session, kBackSpace, 0);
            takeCommit(target);
            refresh();
            return;
        }
        target.backspace();
        return;
    }
}

void PinyinInputMethod::commitFirst(TextTarget& target) {
    // The first candidate; if it covers only part of the letters, the first one for the rest,
    // and so on (bounded: each choice consumes at least one letter).
    for (std::size_t guard = 0; composing() && guard < 64; ++guard) {
        if (m_candidates.empty()) {
            commitComposition(target);
            return;
        }
        choose(0, target);
    }
}

void PinyinInputMethod::choose(std::size_t index, TextTarget& target) {
    if (!composing() || index >= m_candidates.size())
        return;
    m_engine->api()->select_candidate(m_session, index);
    takeCommit(target);
    refresh();
}

void PinyinInputMethod::commitComposition(TextTarget& target) {
    if (!composing())
        return;
    RimeApi* api = m_engine->api();
    // The letters as typed: Rime's raw input (what is already chosen is dropped with it).
    if (const char* input = api->get_input(m_session)) {
        std::string letters(input);
        target.insert(letters);
        wipeText(letters);
    }
    api->clear_composition(m_session);
    refresh();
}

void PinyinInputMethod::reset() {
    // A new Rime session before the old one goes, so the dictionaries stay loaded; the old
    // session takes its composition and commit history with it (invariant 3).
    RimeApi* api = m_engine->api();
    const RimeSessionId fresh = api->create_session();
    if (fresh) {
        api->destroy_session(m_session);
        m_session = fresh;
        api->set_option(m_session, "ascii_mode", False);
        api->set_option(m_session, "zh_simp", True);
    } else {
        api->clear_composition(m_session);
    }
    wipeCopies();
}

} // namespace minsheng::kiosk
