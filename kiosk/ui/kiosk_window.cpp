#include "kiosk/ui/kiosk_window.hpp"

#include "crypto/key_file.hpp"
#include "kiosk/core/config_update.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/ime_client.hpp"
#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/core/locale_catalog.hpp"
#include "kiosk/core/policy_texts.hpp"
#include "kiosk/core/read_aloud.hpp"
#include "kiosk/core/shipped_examples.hpp"
#include "kiosk/core/spoken_prompts.hpp"
#include "kiosk/ui/automation.hpp"
#include "kiosk/ui/backend.hpp"
#include "kiosk/ui/fonts.hpp"
#include "kiosk/ui/icons.hpp"
#include "kiosk/ui/screens.hpp"
#include "kiosk/ui/ui.hpp"
#include "sync/service/service_notify.hpp"

#include <imgui.h>
#include <imgui_internal.h>
#include <nlohmann/json.hpp>
#include <sodium.h>
#include <stb_image_write.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <malloc.h>
#include <pthread.h>
#include <thread>

namespace minsheng::kiosk::ui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kExitConfig = 2;
constexpr int kExitRuntime = 3;
/// How often an idle Home screen looks for a configuration bundle the forwarder dropped.
constexpr double kConfigPollSeconds = 2.0;

/// Everything loaded and checked before a window opens.
struct Loaded {
    KioskConfig config;     // as running: kiosk.toml overlaid by the configuration version
    KioskConfig baseConfig; // kiosk.toml as written at provisioning
    std::uint64_t configVersion = 0;
    /// The county signing key that configuration bundles must verify with; none: no updates.
    std::optional<crypto::Ed25519PublicKey> countyKey;
    LocaleCatalog catalog;
    std::vector<PolicyPage> policy;
    std::optional<SubmissionDesk> desk;
    std::optional<crypto::ReceiptTagKey> tagKey;
    CodePointSet glyphs;
    CodePointSet common; // start-up set for parents' text (fonts.hpp)
    // The input-method helper (ime_client.hpp): pinyin and handwriting run in a process per
    // session. `ime` is null when pinyin is off, `handwriting` when the model did not open.
    std::shared_ptr<ImeHelperClient> imeHelper;
    std::unique_ptr<InputMethod> ime;
    std::unique_ptr<HandwritingRecognizer> handwriting;
    std::map<std::string, std::string, std::less<>> pinnedReadings; // read-aloud (spoken_prompts)
};

/// This program, to start its own `ime-helper` subcommand.
std::string selfExecutable() {
    std::error_code ec;
    const fs::path p = fs::read_symlink("/proc/self/exe", ec);
    return ec ? std::string("/proc/self/exe") : p.string();
}

std::optional<std::string> checkIcons(const Form& form) {
    for (const Field& f : form.fields) {
        for (const Option& o : f.options) {
            if (!o.icon.empty() && !isKnownIcon(o.icon)) {
                std::string names;
                for (auto n : iconNames())
                    names += (names.empty() ? "" : ", ") + std::string(n);
                return form.file + ":" + std::to_string(f.line) + ": field \"" + f.id +
                       "\", option \"" + o.id + "\": unknown icon \"" + o.icon +
                       "\". Use one of: " + names + " (or leave icon out).";
            }
        }
    }
    return std::nullopt;
}

/// The window's own checks of a configuration (config_update.hpp's ConfigurationCheck): icons the
/// screens know and a font that covers every character.
ConfigurationCheck windowChecks(const LocaleCatalog& catalog) {
    return [&catalog](const RunningConfiguration& r) -> std::optional<std::string> {
        for (const Form* f : {&r.forms.complaint, &r.forms.survey})
            if (auto e = checkIcons(*f))
                return e;
        return checkFontCoverage(r.config.uiFont, glyphSet(r.config, r.forms, catalog, r.policy));
    };
}

std::optional<std::string> load(const fs::path& path, Loaded& out) {
    auto config = loadKioskConfig(path);
    if (!config)
        return config.error().toString();
    out.config = std::move(config.value());
    auto catalog = LocaleCatalog::load(out.config.uiLocaleDir);
    if (!catalog) {
        return catalog.error().toString() +
               " (the UI catalogue; set [ui] locale_dir in the kiosk configuration to the folder "
               "with zh-CN.toml and en.toml)";
    }
    out.catalog = std::move(catalog.value());
    auto policy = loadPolicyPages(out.config.uiPolicy);
    if (!policy) {
        return policy.error().toString() +
               " (the 政策须知 pages; set [ui] policy in the kiosk configuration)";
    }
    out.policy = std::move(policy.value());
    // Forms first, on their own, so a broken form is reported as such before keys and store.
    auto forms = loadFormSet(out.config);
    if (!forms) {
        return forms.error().toString() + " (a form or list file named in [forms] of " +
               out.config.file.string() + ")";
    }
    for (const Form* f : {&forms->complaint, &forms->survey})
        if (auto e = checkIcons(*f))
            return e;
    // A configuration version the county published replaces kiosk.toml's contact, forms and
    // policy pages; if it does not load, the one before it or kiosk.toml's own is used.
    out.baseConfig = out.config;
    if (auto key = crypto::readEd25519PublicKey(out.config.countySigningPublicKey,
                                                crypto::KeyKind::CountySigningPublic))
        out.countyKey = *key;
    if (readConfigState(out.config.dataDir).running != 0) {
        auto running = loadStartupConfiguration(out.baseConfig, windowChecks(out.catalog));
        if (running) {
            out.config = std::move(running->config);
            out.policy = std::move(running->policy);
            *forms = std::move(running->forms);
            out.configVersion = running->version;
        }
    }
    // A published version was checked as it loaded; kiosk.toml's own set is checked here.
    if (out.configVersion == 0)
        if (auto e = findShippedExample(out.config, out.config.file))
            return e;
    out.glyphs = glyphSet(out.config, forms.value(), out.catalog, out.policy);
    out.pinnedReadings =
        pinnedReadings(spokenPrompts(forms.value(), out.policy, out.catalog, forms::kLocaleZh));
    if (auto e = checkFontCoverage(out.config.uiFont, out.glyphs))
        return e;
    const auto common = commonCharacters();
    out.common = coveredBy(out.config.uiFont, CodePointSet(common.begin(), common.end()));
    std::vector<std::string> helperArgv{selfExecutable(), "ime-helper", "--handwriting-model",
                                        out.config.uiHandwritingModel.string()};
    if (out.config.inputPinyin) {
        helperArgv.push_back("--rime-data");
        helperArgv.push_back(out.config.inputRimeData.string());
    }
    out.imeHelper = std::make_shared<ImeHelperClient>(execImeHelper(helperArgv));
    auto ready = out.imeHelper->ready();
    if (!ready) {
        return "the input-method helper (" + helperArgv.front() + " ime-helper) " +
               std::string(imeHelperFailureName(ready.error()));
    }
    if (out.config.inputPinyin) {
        if (!ready->pinyinError.empty()) {
            return ready->pinyinError + " ([input] of " + out.config.file.string() +
                   "; pinyin = false turns the pinyin keyboard off)";
        }
        out.ime = std::make_unique<HelperInputMethod>(out.imeHelper);
    }
    if (ready->handwritingError.empty())
        out.handwriting = std::make_unique<HelperHandwritingRecognizer>(out.imeHelper);
    else
        std::cerr << "minsheng-kiosk: " << ready->handwritingError << "; handwriting is off\n";
    return std::nullopt;
}

/// Empties `set`, zeroing each node's code point before the node is freed (a set of the
/// characters a parent typed or saw must not stay readable in freed memory).
void wipeCodePoints(CodePointSet& set, const CodePointSet* keep = nullptr) {
    for (auto it = set.begin(); it != set.end();) {
        if (keep && keep->contains(*it)) {
            ++it;
            continue;
        }
        auto node = set.extract(it++);
        explicit_bzero(&node.value(), sizeof(char32_t));
    }
}

double percentile(std::vector<float> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t i =
        std::min(v.size() - 1, static_cast<std::size_t>(p * (v.size() - 1) + 0.5));
    return v[i];
}

long peakRssKb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

double unixNow() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::atomic<bool> g_quit{false};

/// A pending automation command that waits for frames or for a screen.
struct Pending {
    std::shared_ptr<AutomationServer::Request> request;
    std::string verb;
    std::string arg;
    int framesLeft = 1;
    double deadline = 0; // wait: give up at this time (monotonic seconds)
    bool matched = false;
};

class Window {
public:
    Window(Loaded& l, const WindowOptions& o) : m_l(l), m_o(o) {}
    int run();

private:
    void handleCommand(std::shared_ptr<AutomationServer::Request> r);
    void afterFrame(const std::vector<std::uint8_t>* capture);
    json dump();
    json stats();
    bool needCapture() const;
    void ensureGlyphs(std::string_view text);
    void addGlyphs(CodePointSet& extra); // wipes `extra`
    /// Between sessions: takes a configuration bundle the forwarder dropped (config_update.hpp).
    bool takeConfigurationUpdate(std::int64_t now);
    double m_nextConfigPoll = 0;
    void ensureTypedGlyphs();
    bool installFont(const std::optional<BakedFont>& baked,
                     std::chrono::steady_clock::time_point started);
    void restoreStartupAtlas();

    Loaded& m_l;
    const WindowOptions& m_o;
    Backend m_backend;
    sync::ServiceNotifier m_notifier; // READY after the first frame, WATCHDOG from the loop
    std::unique_ptr<Ui> m_ui;
    std::unique_ptr<KioskFlow> m_flow;
    std::unique_ptr<AutomationServer> m_automation;
    std::vector<Pending> m_pending;
    FrameState m_fs;
    std::vector<float> m_frameMs;
    std::vector<float> m_frameVertices; // ImDrawData::TotalVtxCount of each timed frame
    double m_firstFrameMs = -1;
    std::uint64_t m_frames = 0;
    BakedFont m_font;
    BakedFont m_startupFont;
    CodePointSet m_startupGlyphs;     // the kiosk's own characters, as baked at start-up
    bool m_atlasResetPending = false; // grew during a session that has been wiped since
    void speakAfterFrame();
    std::unique_ptr<ReadAloud> m_readAloud; // worker thread; silent without audio
    std::string m_spokenKey;                // the prompts last on screen
    double m_startupAtlasMs = 0;
    int m_atlasRebuilds = 0;
    double m_lastRebuildMs = 0;
};

void Window::ensureGlyphs(std::string_view text) {
    // Text from outside the configuration (the county's reply to a case) may use characters the
    // atlas was not baked with: add them and bake again, once per new reply.
    CodePointSet extra;
    addCodePoints(extra, text);
    addGlyphs(extra);
}

bool Window::takeConfigurationUpdate(std::int64_t now) {
    if (!m_l.countyKey)
        return false;
    TakenUpdate taken = takeIncomingBundle(m_l.baseConfig, m_l.configVersion, *m_l.countyKey, now,
                                           windowChecks(m_l.catalog));
    if (taken.refused)
        std::cerr << "minsheng-kiosk: configuration refused, still running version "
                  << m_l.configVersion << ": " << *taken.refused << "\n";
    if (!taken.applied)
        return false;
    // In place: the flow holds references to the configuration, forms and policy pages.
    RunningConfiguration& next = *taken.applied;
    m_l.config = next.config;
    m_l.policy = std::move(next.policy);
    m_l.desk->replaceConfiguration(std::move(next.config), std::move(next.forms));
    m_l.configVersion = next.version;
    // The new configuration's characters belong to the start-up set from now on, so that the
    // atlas reset after a session keeps them.
    CodePointSet configGlyphs = glyphSet(m_l.config, m_l.desk->forms(), m_l.catalog, m_l.policy);
    for (char32_t cp : configGlyphs)
        if (cp <= 0xFFFF && !m_l.common.contains(cp))
            m_startupGlyphs.insert(cp);
    addGlyphs(configGlyphs);
    std::cerr << "minsheng-kiosk: now running configuration version " << m_l.configVersion << "\n";
    return true;
}

void Window::addGlyphs(CodePointSet& extra) {
    bool missing = false;
    for (char32_t cp : extra) {
        if (cp <= 0xFFFF && !m_l.glyphs.contains(cp) && !m_l.common.contains(cp)) {
            m_l.glyphs.insert(cp);
            missing = true;
        }
    }
    wipeCodePoints(extra);
    if (!missing)
        return;
    std::string error;
    const auto started = std::chrono::steady_clock::now();
    installFont(
        bakeFonts(*ImGui::GetIO().Fonts, m_l.config.uiFont, m_l.glyphs, m_l.common, error, &m_font),
        started);
}

bool Window::installFont(const std::optional<BakedFont>& baked,
                         std::chrono::steady_clock::time_point started) {
    if (!baked)
        return false;
    m_font = *baked;
    m_fs.atlasWidth = m_font.atlasWidth;
    m_fs.atlasHeight = m_font.atlasHeight;
    m_ui->setFont(m_font.font);
    m_backend.reloadFontTexture();
    dropAtlasPixels(*ImGui::GetIO().Fonts); // on the GPU now; 4 MB less RAM
    malloc_trim(0);                         // the bake's scratch: ~15 MB
    ++m_atlasRebuilds;
    m_lastRebuildMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    return true;
}

void Window::restoreStartupAtlas() {
    // The characters added during the session (a rare candidate, a county reply) would tell
    // the next parent what the last ones saw: drop them, zeroing each set node's code point
    // before it is freed, and bake the start-up set again.
    wipeCodePoints(m_l.glyphs, &m_startupGlyphs);
    std::string error;
    const auto started = std::chrono::steady_clock::now();
    if (installFont(bakeFonts(*ImGui::GetIO().Fonts, m_l.config.uiFont, m_l.glyphs, m_l.common,
                              error, &m_startupFont),
                    started))
        m_atlasResetPending = false;
    else
        std::cerr << "minsheng-kiosk: cannot bake the start-up font atlas again: " << error << "\n";
}

void Window::ensureTypedGlyphs() {
    // Whatever the input method offers or the field holds must draw: the preedit, the
    // candidates, the text answers. The copy is a parent's text and is wiped at once.
    const Session& s = m_flow->session();
    const InputMethod& ime = s.inputMethod();
    std::string text(ime.preedit());
    // The candidates up to the page on screen (a page holds fewer than kPerPage), not all of
    // them: a rare character far down the list costs a re-bake only when it is shown.
    constexpr std::size_t kPerPage = 12;
    const std::size_t shown =
        (static_cast<std::size_t>(std::max(0, s.candidatePage)) + 1) * kPerPage;
    for (std::size_t i = 0; i < std::min(shown, ime.candidateCount()); ++i)
        text += ime.candidate(i);
    for (const auto& [id, a] : s.answers())
        if (a.kind() == AnswerKind::Text)
            text += a.text();
    ensureGlyphs(text);
    sodium_memzero(text.data(), text.size());
}

json Window::dump() {
    const auto g = m_backend.geometry();
    json widgets = json::array();
    for (const auto& w : m_ui->widgets()) {
        widgets.push_back({{"id", w.id},
                           {"label", w.label},
                           {"x", std::lround(w.min.x)},
                           {"y", std::lround(w.min.y)},
                           {"w", std::lround(w.max.x - w.min.x)},
                           {"h", std::lround(w.max.y - w.min.y)},
                           {"enabled", w.enabled}});
    }
    const Field* f = m_flow->field();
    const auto st = m_flow->step();
    const auto warn = m_flow->idleWarningLeft(static_cast<std::int64_t>(unixNow()));
    return json{{"ok", true},
                {"screen", screenName(m_flow->screen())},
                {"field", f ? json(f->id) : json(nullptr)},
                {"step", {st.index, st.count}},
                {"locale", m_flow->session().locale},
                {"window", {{"x", g.x}, {"y", g.y}, {"w", g.width}, {"h", g.height}}},
                {"widgets", widgets},
                {"labels", m_ui->labels()},
                {"missing_glyphs", m_ui->missingGlyphs()},
                {"idle_warning", warn ? json(*warn) : json(nullptr)},
                {"answers", m_flow->session().answers().size()},
                {"generation", m_flow->session().generation},
                {"config_version", m_l.configVersion}};
}

json Window::stats() {
    return json{{"ok", true},
                {"frames", m_frames},
                {"frame_ms_p50", percentile(m_frameMs, 0.50)},
                {"frame_ms_p95", percentile(m_frameMs, 0.95)},
                {"frame_samples", m_frameMs.size()},
                {"vertices_p50", percentile(m_frameVertices, 0.50)},
                {"vertices_p95", percentile(m_frameVertices, 0.95)},
                {"first_frame_ms", m_firstFrameMs},
                {"atlas", {m_font.atlasWidth, m_font.atlasHeight}},
                {"font_px", m_font.pixelSize},
                {"glyphs", m_font.glyphs},
                {"common_glyphs", m_font.commonGlyphs},
                {"common_px", m_font.commonPixelSize},
                {"atlas_build_ms", m_startupAtlasMs},
                {"atlas_rebuilds", m_atlasRebuilds},
                {"atlas_rebuild_ms", m_lastRebuildMs},
                {"input_method", std::string(m_flow->session().inputMethod().name())},
                {"peak_rss_kb", peakRssKb()}};
}

void Window::handleCommand(std::shared_ptr<AutomationServer::Request> r) {
    const std::string& line = r->line;
    const auto sp = line.find(' ');
    Pending p;
    p.request = std::move(r);
    p.verb = line.substr(0, sp);
    p.arg = sp == std::string::npos ? std::string() : line.substr(sp + 1);
    const auto nowUnix = static_cast<std::int64_t>(unixNow());
    if (p.verb == "dump" || p.verb == "screenshot") {
        p.framesLeft = 1;
    } else if (p.verb == "tap") {
        m_ui->requestTap(p.arg);
        p.framesLeft = 2; // the first frame takes the tap, the second shows its effect
    } else if (p.verb == "type") {
        // As if typed key by key on the on-screen keyboard, through the input method.
        for (std::size_t i = 0; i < p.arg.size();) {
            const std::size_t at = i;
            const char32_t cp = nextCodePoint(p.arg, i);
            const std::string_view ch(p.arg.data() + at, i - at);
            ImeKey key{cp == ' ' ? ImeKey::Kind::Space : ImeKey::Kind::Text, ch};
            m_flow->typeKey(key, nowUnix);
        }
        p.framesLeft = 1;
    } else if (p.verb == "wait") {
        const auto sp2 = p.arg.find(' ');
        double timeout = 30;
        if (sp2 != std::string::npos) {
            timeout = std::atof(p.arg.c_str() + sp2 + 1);
            p.arg.resize(sp2);
        }
        p.deadline = m_backend.time() + timeout;
        p.framesLeft = 1;
    } else if (p.verb == "stats") {
        if (p.arg == "reset") {
            m_frameMs.clear();
            m_frameVertices.clear();
        }
        p.request->reply.set_value(stats().dump());
        return;
    } else if (p.verb == "quit") {
        g_quit = true;
        p.request->reply.set_value(R"({"ok":true})");
        return;
    } else if (p.verb == "hang") {
        // Tests of the service watchdog (tests/appliance): the UI thread stops for good, as a
        // deadlock would stop it, so the watchdog pings stop and the supervisor must kill us.
        p.request->reply.set_value(R"({"ok":true,"hanging":true})");
        for (;;)
            std::this_thread::sleep_for(std::chrono::hours(1));
    } else {
        p.request->reply.set_value(
            json{{"ok", false},
                 {"error", "unknown command; use dump, tap ID, type TEXT, wait SCREEN "
                           "[SECONDS], screenshot FILE.png, stats [reset], quit, hang"}}
                .dump());
        return;
    }
    m_pending.push_back(std::move(p));
}

bool Window::needCapture() const {
    for (const auto& p : m_pending)
        if (p.verb == "screenshot" && p.framesLeft == 1)
            return true;
    return false;
}

void Window::afterFrame(const std::vector<std::uint8_t>* capture) {
    const std::string screen(screenName(m_flow->screen()));
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        Pending& p = *it;
        if (p.verb == "wait") {
            if (!p.matched && screen == p.arg) {
                p.matched = true; // answer after one more frame so a dump sees the new screen
                ++it;
                continue;
            }
            if (p.matched) {
                p.request->reply.set_value(json{{"ok", true}, {"screen", screen}}.dump());
                it = m_pending.erase(it);
                continue;
            }
            if (m_backend.time() > p.deadline) {
                p.request->reply.set_value(
                    json{{"ok", false}, {"error", "timeout"}, {"screen", screen}}.dump());
                it = m_pending.erase(it);
                continue;
            }
            ++it;
            continue;
        }
        if (p.verb == "tap" && p.framesLeft == 2) {
            if (!m_ui->takeTapResult()) {
                p.request->reply.set_value(
                    json{{"ok", false}, {"error", "no enabled widget \"" + p.arg + "\" on screen"}}
                        .dump());
                it = m_pending.erase(it);
                continue;
            }
        }
        if (--p.framesLeft > 0) {
            ++it;
            continue;
        }
        json out;
        if (p.verb == "dump") {
            out = dump();
        } else if (p.verb == "screenshot") {
            const int w = m_backend.framebufferWidth();
            const int h = m_backend.framebufferHeight();
            const bool ok = capture && !capture->empty() &&
                            stbi_write_png(p.arg.c_str(), w, h, 4, capture->data(), w * 4) != 0;
            out = ok ? json{{"ok", true}, {"file", p.arg}, {"w", w}, {"h", h}}
                     : json{{"ok", false}, {"error", "cannot write " + p.arg}};
        } else {
            out = json{{"ok", true}, {"screen", screen}};
        }
        p.request->reply.set_value(out.dump());
        it = m_pending.erase(it);
    }
}

void Window::speakAfterFrame() {
    // The speaker button reads the screen (or stops); while read-aloud is on, each new screen
    // is read; any other tap interrupts. The worker does the rest (read_aloud.hpp).
    if (!m_readAloud)
        return;
    const Session& s = m_flow->session();
    std::string key;
    for (const auto& line : m_fs.speech) {
        key += line;
        key += '\n';
    }
    const SpeechLanguage language = speechLanguageFor(s.locale);
    if (m_fs.speakToggled)
        if (s.readAloud)
            m_readAloud->say(m_fs.speech, language);
        else
            m_readAloud->stop();
    else if (s.readAloud && key != m_spokenKey)
        m_readAloud->say(m_fs.speech, language);
    else if (ImGui::GetIO().MouseClicked[0])
        m_readAloud->stop();
    m_spokenKey = std::move(key);
}

int Window::run() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    // Nothing about a session may reach the disk: no imgui.ini, no log file.
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.ConfigInputTextCursorBlink = false;
    std::string fontError;
    auto baked = bakeFonts(*io.Fonts, m_l.config.uiFont, m_l.glyphs, m_l.common, fontError);
    if (!baked) {
        std::cerr << "minsheng-kiosk: " << fontError << "\n";
        return kExitConfig;
    }
    m_font = *baked;
    m_startupFont = *baked;
    m_startupGlyphs = m_l.glyphs;
    m_startupAtlasMs = baked->buildMs;
    m_fs.atlasWidth = m_font.atlasWidth;
    m_fs.atlasHeight = m_font.atlasHeight;
    m_fs.version = MINSHENG_VERSION;

    Backend::Options bo;
    bo.fullscreen = m_o.fullscreen;
    bo.width = m_o.width;
    bo.height = m_o.height;
    bo.title = "Minsheng " + m_l.config.name;
    if (auto e = m_backend.open(bo)) {
        std::cerr << "minsheng-kiosk: " << *e << "\n";
        return kExitRuntime;
    }
    {
        ForwarderClient forwarder(m_l.config.dataDir / "forwarder.sock", [] { Backend::wake(); });
        DeskSubmitter submitter(*m_l.desk);
        m_flow = std::make_unique<KioskFlow>(m_l.config, m_l.desk->forms(), m_l.policy, submitter,
                                             &forwarder, m_l.tagKey ? &*m_l.tagKey : nullptr,
                                             static_cast<std::int64_t>(unixNow()));
        if (m_l.ime)
            m_flow->setInputMethod(std::move(m_l.ime));
        m_ui = std::make_unique<Ui>(m_l.catalog, m_font.font);
        // Read-aloud and handwriting (kiosk/core/read_aloud.hpp, handwriting_recognizer.hpp).
        // Neither is needed to take a complaint: a missing model or voice leaves the feature off.
        {
            ReadAloudOptions ro;
            ro.pinyinDictionary = m_l.config.uiPinyinDictionary;
            ro.espeakData = m_l.config.uiEspeakData;
            ro.mandarinVoice = m_l.config.uiReadAloudVoice;
            ro.recordings = m_l.config.uiReadAloudRecordings;
            ro.pinnedReadings = m_l.pinnedReadings;
            m_readAloud = std::make_unique<ReadAloud>(ro, openSystemAudio());
            if (m_l.handwriting)
                m_flow->setHandwritingRecognizer(m_l.handwriting.get());
        }
        m_ui->setRecording(m_o.automation.has_value());
        if (m_o.automation) {
            std::string err;
            m_automation = AutomationServer::start(
                *m_o.automation, [] { Backend::wake(); }, err);
            if (!m_automation) {
                std::cerr << "minsheng-kiosk: --automation " << err << "\n";
                m_flow.reset();
                return kExitConfig;
            }
        }
        std::uint64_t generation = m_flow->session().generation;
        int settle = 3;
        while (!g_quit && !m_backend.shouldClose()) {
            // ---- sleep until something can change ----------------------------------------
            double wait = -1;
            const double nowReal = unixNow();
            const double t = m_backend.time();
            auto consider = [&](double seconds) {
                seconds = std::max(0.0, seconds);
                wait = wait < 0 ? seconds : std::min(wait, seconds);
            };
            if (settle > 0)
                consider(0);
            if (auto d = m_flow->nextDeadline(static_cast<std::int64_t>(nowReal)))
                consider(static_cast<double>(*d) - nowReal + 0.01);
            if (m_fs.wantsBlink)
                consider(0.53 - std::fmod(t, 0.53));
            if (m_fs.wakeAt >= 0)
                consider(m_fs.wakeAt - t);
            if (m_flow->isBetweenSessions())
                consider(m_nextConfigPoll - t);
            for (const auto& p : m_pending)
                consider(p.verb == "wait" && !p.matched ? std::min(p.deadline - t, 0.25) : 0);
            // Under systemd's WatchdogSec= wake at least every half interval, idle or not.
            if (auto ping = m_notifier.maxSleepSeconds())
                consider(*ping);
            if (wait == 0)
                m_backend.pollEvents();
            else
                m_backend.waitEvents(wait);
            m_notifier.watchdogTick();
            const auto nowUnix = static_cast<std::int64_t>(unixNow());
            settle = std::max(settle, 1);
            const bool input = m_backend.takeInputCount() > 0;
            if (input) {
                m_flow->noteActivity(nowUnix);
                settle = 3;
            }
            if (m_automation)
                while (auto r = m_automation->take())
                    handleCommand(std::move(r));
            if (m_flow->tick(nowUnix)) {
                settle = 3;
                if (const auto& r = m_flow->session().lookupResult)
                    ensureGlyphs(r->reply);
            }
            // A new configuration only between sessions (config_update.hpp, U3).
            if (m_flow->isBetweenSessions() && m_backend.time() >= m_nextConfigPoll) {
                m_nextConfigPoll = m_backend.time() + kConfigPollSeconds;
                if (takeConfigurationUpdate(nowUnix))
                    settle = 3;
            }
            if (m_flow->session().generation != generation) {
                // A wipe: also forget ImGui's own per-widget state (active id, text-edit buffer
                // and undo stack) and what the automation recorded of the last frame.
                generation = m_flow->session().generation;
                ImGui::ClearActiveID();
                if (ImGuiContext* ctx = ImGui::GetCurrentContext()) {
                    ctx->InputTextState.ClearFreeMemory();
                    ctx->InputTextState.ID = 0;
                }
                m_ui->clearRecords();
                m_atlasResetPending = m_l.glyphs != m_startupGlyphs;
            }
            // The atlas returns to its start-up set after a session that grew it, while the
            // home screen waits for the next parent (a bake takes a few hundred ms).
            if (m_atlasResetPending && m_flow->screen() == Screen::Home && !input)
                restoreStartupAtlas();
            ensureTypedGlyphs(); // between frames: a new character re-bakes the atlas
            // ---- one frame ---------------------------------------------------------------
            const auto frameStart = std::chrono::steady_clock::now();
            m_fs.time = m_backend.time();
            m_fs.now = nowUnix;
            m_fs.caretOn = std::fmod(m_fs.time, 1.06) < 0.53;
            m_fs.wakeAt = -1;
            m_fs.speech.clear();
            m_fs.speakToggled = false;
            m_backend.newFrame();
            if (m_frames == 0)
                dropAtlasPixels(*ImGui::GetIO().Fonts); // uploaded when the window opened
            ImGui::NewFrame();
            const Screen drawn = m_flow->screen();
            drawFrame(*m_ui, *m_flow, m_fs);
            speakAfterFrame();
            ImGui::Render();
            std::vector<std::uint8_t> capture;
            const bool cap = needCapture();
            const ImU32 bg = m_ui->theme().background;
            m_backend.render(((bg >> IM_COL32_R_SHIFT) & 0xFF) / 255.0f,
                             ((bg >> IM_COL32_G_SHIFT) & 0xFF) / 255.0f,
                             ((bg >> IM_COL32_B_SHIFT) & 0xFF) / 255.0f, cap ? &capture : nullptr);
            const auto frameEnd = std::chrono::steady_clock::now();
            ++m_frames;
            if (m_frames == 1) {
                m_notifier.ready("first frame shown");
                malloc_trim(0); // start-up's scratch (forms, font coverage, the first bake)
            }
            if (m_firstFrameMs < 0) {
                m_firstFrameMs =
                    std::chrono::duration<double, std::milli>(frameEnd - m_o.startedAt).count();
            }
            if (m_frameMs.size() < 100000) {
                m_frameMs.push_back(
                    std::chrono::duration<float, std::milli>(frameEnd - frameStart).count());
                m_frameVertices.push_back(static_cast<float>(ImGui::GetDrawData()->TotalVtxCount));
            }
            --settle;
            if (m_flow->screen() != drawn)
                settle = 3;
            // 正在保存… is on screen now: do the (fsync-bound) submit.
            if (drawn == Screen::Saving && m_flow->session().submitPending) {
                m_flow->performPendingSubmit(static_cast<std::int64_t>(unixNow()));
                settle = 3;
            }
            afterFrame(cap ? &capture : nullptr);
        }
        m_notifier.stopping();
        for (auto& p : m_pending)
            p.request->reply.set_value(R"({"ok":false,"error":"shutting down"})");
        m_pending.clear();
        m_automation.reset();
        m_flow.reset(); // wipes the session before the forwarder goes
    }
    m_ui.reset();
    // Backend's destructor shuts the ImGui backends down; the context goes after it.
    return 0;
}

} // namespace

std::optional<std::string> checkKioskWindowConfig(const fs::path& config) {
    Loaded l;
    return load(config, l);
}

int runKioskWindow(const WindowOptions& o) {
    // SIGTERM/SIGINT (systemd stop, Ctrl-C) end the loop cleanly so the session is wiped: blocked
    // in every thread, taken by one thread that flags the loop and wakes it. Blocked first of
    // all, because a thread inherits the mask of its creator: librime, the read-aloud worker and
    // Mesa start threads while loading, and a signal the kernel delivers to one of those with
    // the default action would kill the kiosk without wiping it.
    // One malloc arena for every thread. With one per thread, the arenas of Mesa's and the
    // read-aloud worker's threads each kept ~10 MB of freed, fragmented memory resident; the
    // kiosk's threads allocate rarely, so they gain nothing from arenas of their own. Set
    // before any thread starts.
    mallopt(M_ARENA_MAX, 1);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    Loaded l;
    if (auto e = load(o.config, l)) {
        std::cerr << "minsheng-kiosk: " << *e << "\n";
        return kExitConfig;
    }
    if (o.automation && !l.config.automation) {
        std::cerr << "minsheng-kiosk: --automation is refused: " << l.config.file.string()
                  << " does not set automation = true in [kiosk] (tests only; never on a real "
                     "kiosk).\n";
        return kExitConfig;
    }
    auto desk = SubmissionDesk::open(l.config);
    if (!desk) {
        std::cerr << "minsheng-kiosk: " << desk.error().message << "\n";
        return desk.error().kind == DeskError::Kind::Store ? kExitRuntime : kExitConfig;
    }
    l.desk.emplace(std::move(desk.value()));
    if (auto key = crypto::readReceiptTagKey(l.config.receiptTagKey))
        l.tagKey.emplace(std::move(key.value()));
    std::atomic<bool> done{false};
    std::thread signals([&] {
        int sig = 0;
        sigwait(&set, &sig);
        if (!done) {
            g_quit = true;
            Backend::wake();
        }
    });
    int rc = 0;
    {
        Window w(l, o);
        rc = w.run();
        done = true;
        pthread_kill(signals.native_handle(), SIGTERM); // release sigwait
        signals.join();
    }
    if (ImGui::GetCurrentContext())
        ImGui::DestroyContext();
    return rc;
}

} // namespace minsheng::kiosk::ui
