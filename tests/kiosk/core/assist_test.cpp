// Read-aloud and handwriting, without a window: Hanzi → tone-numbered pinyin (pinyin_reading.hpp),
// espeak-ng synthesis into a WAV that is speech and not silence, the worker that a new request
// interrupts, recorded prompts, and zinnia recognising strokes this test draws for 一 十 口 人,
// kept in the Session and wiped with it.
#include "kiosk/core/forms_vocabulary.hpp"
#include "kiosk/core/handwriting_recognizer.hpp"
#include "kiosk/core/kiosk_flow.hpp"
#include "kiosk/core/pinyin_reading.hpp"
#include "kiosk/core/read_aloud.hpp"
#include "sync/forms/validation.hpp"
#include "tests/support/form_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <regex>

using namespace minsheng;
using namespace minsheng::kiosk;
using namespace minsheng::forms::test;
namespace fs = std::filesystem;

namespace {

const PinyinReading& pinyin() {
    static const PinyinReading reading = [] {
        auto r = PinyinReading::load(kDefaultPinyinDictionary);
        if (!r)
            FAIL(r.error().message);
        return std::move(r.value());
    }();
    return reading;
}

/// Every word is a syllable of lower-case letters ending in a tone number 1-5, optionally
/// followed by a pause mark: pinyin, not characters or English letters.
bool isToneNumberedPinyin(const std::string& s) {
    static const std::regex syllables(R"(^[a-z]+[1-5][,.?!]?( [a-z]+[1-5][,.?!]?)*$)");
    return std::regex_match(s, syllables);
}

} // namespace

// ---- pinyin ----------------------------------------------------------------------------------

TEST_CASE("pinyin: characters and phrases, mainland readings", "[assist][pinyin]") {
    const PinyinReading& p = pinyin();
    CHECK(p.toPinyin("我要反映问题") == "wo3 yao4 fan3 ying4 wen4 ti2");
    // Polyphones decided by phrases (the own list, terra_pinyin's folded onto simplified text).
    CHECK(p.toPinyin("银行") == "yin2 hang2");
    CHECK(p.toPinyin("行走") == "xing2 zou3");
    CHECK(p.toPinyin("校长") == "xiao4 zhang3");
    // A character's mainland reading: Unihan, or the own list where Unihan's is the rarer one.
    CHECK(p.toPinyin("长") == "chang2");
    CHECK(p.toPinyin("还") == "hai2");
    CHECK(p.toPinyin("家长服务台") == "jia1 zhang3 fu2 wu4 tai2");
    CHECK(p.toPinyin("满意度测评") == "man3 yi4 du4 ce4 ping2"); // 意度 yi4 du4 before yi4 duo4
    CHECK(p.characterCount() > 20000);
}

TEST_CASE("pinyin: digits, punctuation and Latin letters", "[assist][pinyin]") {
    const PinyinReading& p = pinyin();
    CHECK(numberToPinyin("0") == "ling2");
    CHECK(numberToPinyin("10") == "shi2");
    CHECK(numberToPinyin("12") == "shi2 er4");
    CHECK(numberToPinyin("20") == "er4 shi2");
    CHECK(numberToPinyin("105") == "yi1 bai3 ling2 wu3");
    CHECK(numberToPinyin("200") == "liang3 bai3");
    CHECK(numberToPinyin("1010") == "yi1 qian1 ling2 yi1 shi2");
    CHECK(numberToPinyin("12345") == "yi1 er4 san1 si4 wu3"); // codes: digit by digit
    CHECK(numberToPinyin("07") == "ling2 qi1");
    CHECK(p.toPinyin("第 3 步 / 共 12 步") == "di4 san1 bu4 gong4 shi2 er4 bu4");
    CHECK(p.toPinyin("热线：0571-12345。") ==
          "re4 xian4, ling2 wu3 qi1 yi1, yi1 er4 san1 si4 wu3.");
    CHECK(p.toPinyin("还在吗？") == "hai2 zai4 ma5?");
    CHECK(p.toPinyin("中/EN") == "zhong1");
    CHECK(p.toPinyin("") == "");
    CHECK(p.toPinyin("ABC") == "");
}

TEST_CASE("pinyin: every shipped prompt reads as tone-numbered pinyin", "[assist][pinyin]") {
    auto lists = shippedLists();
    const Form complaint = shippedForm("complaint", lists);
    int checked = 0;
    for (const Field& f : complaint.fields) {
        const std::string fed = pinyin().toPinyin(f.label.get("zh-CN"));
        INFO(f.label.get("zh-CN") << " → " << fed);
        CHECK(isToneNumberedPinyin(fed));
        for (const Option& o : f.options) {
            const std::string of = pinyin().toPinyin(o.label.get("zh-CN"));
            INFO(o.label.get("zh-CN") << " → " << of);
            CHECK(isToneNumberedPinyin(of));
            ++checked;
        }
        ++checked;
    }
    CHECK(checked > 10);
}

TEST_CASE("pinyin: a file that is not a Rime dictionary is refused", "[assist][pinyin]") {
    auto bad = PinyinReading::parse("just: yaml\n", "x.yaml");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message, Catch::Contains("x.yaml"));
    auto missing = PinyinReading::load("/nonexistent/terra.dict.yaml");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("rime-data-terra-pinyin"));
    auto small = PinyinReading::parse("---\nname: t\n...\n中\tzhong1\t90%\n中\tzhong4\t10%\n"
                                      "中國\tzhong1 guo2\n國\tguo2\n",
                                      "t.yaml");
    REQUIRE(small.ok());
    CHECK(small->toPinyin("中国") == "zhong1 guo2");
    auto none = PinyinReading::parse("---\nname: t\n...\n中\tzhong1\n", "t.yaml");
    REQUIRE(none.ok());
    CHECK(small->phraseCount() == none->phraseCount()); // 中國 decides nothing: dropped (rule 3)
}

// ---- synthesis -------------------------------------------------------------------------------

TEST_CASE("read-aloud: a prompt is synthesised from pinyin into a WAV that is speech",
          "[assist][speech]") {
    auto s = SpeechSynthesizer::open(ReadAloudOptions{});
    INFO((s ? std::string() : s.error().message));
    REQUIRE(s.ok());
    SpeechSynthesizer& synth = *s.value();
    const std::string fed = synth.feedText("我要反映问题", SpeechLanguage::Mandarin);
    CHECK(fed == "wo3 yao4 fan3 ying4 wen4 ti2");
    CHECK(isToneNumberedPinyin(fed));
    auto pcm = synth.synthesize(fed, SpeechLanguage::Mandarin);
    REQUIRE(pcm.ok());
    CHECK(pcm->rate == 22050);
    // Six syllables of speech: well over half a second, and loud enough to be speech.
    CHECK(pcm->samples.size() > static_cast<std::size_t>(pcm->rate / 2));
    CHECK(rms(*pcm) > 1000);
    minsheng::test::TempDir dir;
    const fs::path wav = dir.path() / "prompt.wav";
    std::string error;
    REQUIRE(writeWav(wav, *pcm, error));
    auto back = readWav(wav);
    REQUIRE(back.ok());
    CHECK(back->rate == pcm->rate);
    CHECK(back->samples == pcm->samples);
    // English prompts go to the English voice as they are.
    CHECK(synth.feedText("Report a problem", SpeechLanguage::English) == "Report a problem");
    auto en = synth.synthesize("Report a problem", SpeechLanguage::English);
    REQUIRE(en.ok());
    CHECK(rms(*en) > 1000);
    // Silence is not speech: the threshold above means something.
    Pcm quiet;
    quiet.samples.assign(22050, 0);
    CHECK(rms(quiet) < 1);
}

TEST_CASE("read-aloud: a missing voice or dictionary is a typed error", "[assist][speech]") {
    ReadAloudOptions o;
    o.mandarinVoice = "no-such-voice";
    auto s = SpeechSynthesizer::open(o);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().kind == SpeechError::Kind::Voice);
    ReadAloudOptions d;
    d.pinyinDictionary = "/nonexistent.dict.yaml";
    auto s2 = SpeechSynthesizer::open(d);
    REQUIRE_FALSE(s2.ok());
    CHECK(s2.error().kind == SpeechError::Kind::Dictionary);
}

namespace {

/// Records what it is asked to play. The first play() can be made to block until stopped, so a
/// test can interrupt an utterance deterministically.
class FakeOutput final : public AudioOutput {
public:
    bool blockFirst = false;
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Pcm> played;
    std::vector<bool> stopped;
    bool playing = false;

    bool play(const Pcm& pcm, const std::atomic<bool>& stop) override {
        std::unique_lock lock(mutex);
        played.push_back(pcm);
        playing = true;
        cv.notify_all();
        bool wasStopped = false;
        if (blockFirst && played.size() == 1) {
            // Woken by say()/stop() through the test's notify; no timers.
            cv.wait(lock, [&] { return stop.load(); });
            wasStopped = true;
        }
        stopped.push_back(wasStopped);
        playing = false;
        return true;
    }
};

} // namespace

TEST_CASE("read-aloud: the worker speaks, and a new request interrupts it", "[assist][speech]") {
    auto out = std::make_unique<FakeOutput>();
    FakeOutput* fake = out.get();
    fake->blockFirst = true;
    ReadAloud reader(ReadAloudOptions{}, std::move(out));
    reader.say({"我要反映问题"}, SpeechLanguage::Mandarin);
    {
        std::unique_lock lock(fake->mutex);
        fake->cv.wait(lock, [&] { return fake->playing; });
    }
    reader.say({"满意度测评", "查询办理进度"}, SpeechLanguage::Mandarin);
    {
        std::lock_guard lock(fake->mutex);
        fake->cv.notify_all(); // let the blocked play() see the stop flag
    }
    reader.waitIdle();
    CHECK_FALSE(reader.failed());
    std::lock_guard lock(fake->mutex);
    REQUIRE(fake->played.size() == 3);
    CHECK(fake->stopped[0]);
    CHECK_FALSE(fake->stopped[1]);
    for (const Pcm& p : fake->played)
        CHECK(rms(p) > 1000);
}

TEST_CASE("read-aloud: without an audio device it is silent and does not fail",
          "[assist][speech]") {
    // The machine running the tests has no sound card; the system output must just say no.
    ReadAloud reader(ReadAloudOptions{}, openSystemAudio());
    reader.say({"您好"}, SpeechLanguage::Mandarin);
    reader.waitIdle();
    CHECK_FALSE(reader.failed());
    CHECK(reader.finished() == 1);
}

TEST_CASE("read-aloud: a recorded prompt is played instead of synthesised", "[assist][speech]") {
    minsheng::test::TempDir dir;
    Pcm tone;
    tone.rate = 16000;
    for (int i = 0; i < 8000; ++i)
        tone.samples.push_back(static_cast<std::int16_t>(8000 * std::sin(i * 0.2)));
    std::string error;
    REQUIRE(writeWav(dir.path() / "report.wav", tone, error));
    std::ofstream(dir.path() / "index.toml") << "\"我要反映问题\" = \"report.wav\"\n";
    auto out = std::make_unique<FakeOutput>();
    FakeOutput* fake = out.get();
    ReadAloudOptions o;
    o.recordings = dir.path();
    ReadAloud reader(o, std::move(out));
    reader.say({"我要反映问题", "满意度测评"}, SpeechLanguage::Mandarin);
    reader.waitIdle();
    std::lock_guard lock(fake->mutex);
    REQUIRE(fake->played.size() == 2);
    CHECK(fake->played[0].rate == 16000);
    CHECK(fake->played[0].samples == tone.samples);
    CHECK(fake->played[1].rate == 22050); // not recorded: synthesised
}

// ---- handwriting -----------------------------------------------------------------------------

namespace {

/// A straight stroke from (x0,y0) to (x1,y1) in pad units, as a finger would draw it.
std::vector<InkPoint> line(int x0, int y0, int x1, int y1, std::uint16_t stroke) {
    std::vector<InkPoint> v;
    for (int i = 0; i <= 10; ++i) {
        v.push_back(InkPoint{static_cast<std::int16_t>(x0 + (x1 - x0) * i / 10),
                             static_cast<std::int16_t>(y0 + (y1 - y0) * i / 10), stroke});
    }
    return v;
}

std::vector<InkPoint> join(std::initializer_list<std::vector<InkPoint>> parts) {
    std::vector<InkPoint> v;
    for (const auto& p : parts)
        v.insert(v.end(), p.begin(), p.end());
    return v;
}

std::vector<InkPoint> yi() {
    return line(130, 500, 870, 500, 0);
}
std::vector<InkPoint> shi() {
    return join({line(130, 500, 870, 500, 0), line(500, 130, 500, 870, 1)});
}
std::vector<InkPoint> kou() {
    return join({line(230, 230, 230, 770, 0), line(230, 230, 770, 230, 1),
                 line(770, 230, 770, 770, 1), line(230, 770, 770, 770, 2)});
}
std::vector<InkPoint> ren() {
    // 丿 from the top, bending to the lower left; 乀 from its middle to the lower right.
    std::vector<InkPoint> v;
    for (auto [x, y] : {std::pair{500, 100}, {483, 267}, {433, 467}, {333, 667}, {167, 867}})
        v.push_back(InkPoint{static_cast<std::int16_t>(x), static_cast<std::int16_t>(y), 0});
    for (auto [x, y] : {std::pair{467, 400}, {567, 600}, {700, 767}, {900, 883}})
        v.push_back(InkPoint{static_cast<std::int16_t>(x), static_cast<std::int16_t>(y), 1});
    return v;
}

bool amongTop(const std::vector<std::string>& candidates, std::string_view ch, std::size_t n) {
    for (std::size_t i = 0; i < candidates.size() && i < n; ++i)
        if (candidates[i] == ch)
            return true;
    return false;
}

} // namespace

TEST_CASE("handwriting: strokes for 一 十 口 人 are among the top candidates",
          "[assist][handwriting]") {
    auto r = ZinniaRecognizer::open(kDefaultHandwritingModel);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.ok());
    const ZinniaRecognizer& z = *r.value();
    CHECK(z.characterCount() > 6000);
    const std::pair<const char*, std::vector<InkPoint>> cases[] = {
        {"一", yi()}, {"十", shi()}, {"口", kou()}, {"人", ren()}};
    for (const auto& [ch, ink] : cases) {
        const auto found = z.recognize(ink, 8);
        std::string all;
        for (const auto& c : found)
            all += c + " ";
        INFO(ch << ": " << all);
        CHECK(found.size() == 8);
        CHECK(amongTop(found, ch, 3));
    }
    CHECK(z.recognize({}, 8).empty());
    auto missing = ZinniaRecognizer::open("/nonexistent.model");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error().message, Catch::Contains("tegaki-zinnia-simplified-chinese"));
}

namespace {

std::string withUiKeys(const std::string& keys) {
    std::string text = minsheng::test::readFile(configDir() / "kiosk.example.toml");
    const auto at = text.find("\n[ui]\n");
    REQUIRE(at != std::string::npos);
    text.insert(at + 6, keys);
    return text;
}

struct FlowFixture {
    KioskConfig config;
    FormSet forms;
    std::vector<PolicyPage> policy;
    std::int64_t now = 1'800'000'000;
    std::unique_ptr<KioskFlow> flow;

    class NoSubmit final : public Submitter {
    public:
        Result<SubmitReceipt, SubmitError> submit(const Form&, const Answers&, std::string_view,
                                                  std::int64_t) override {
            return fail(SubmitError{SubmitError::Kind::Invalid, {}, std::nullopt});
        }
        std::optional<outbox::OutboxStats> outboxStats() override { return std::nullopt; }
    } submitter;

    /// `uiKeys` go into the example configuration's [ui] section.
    explicit FlowFixture(const std::string& uiKeys = {}) {
        auto text = withUiKeys(uiKeys);
        auto c = parseKioskConfig(text, configDir() / "kiosk.example.toml");
        INFO((c ? std::string() : c.error().toString()));
        REQUIRE(c.ok());
        config = std::move(c.value());
        auto lists = shippedLists();
        forms.complaint = shippedForm("complaint", lists);
        forms.survey = shippedForm("survey", lists);
        forms.lists = std::move(lists);
        flow = std::make_unique<KioskFlow>(config, forms, policy, submitter, nullptr, nullptr, now);
    }

    /// Report journey up to the description (a multi-line text field).
    void toDescription() {
        flow->startReport(now);
        flow->chooseCategory("other", now);
        for (int guard = 0; guard < 40 && flow->screen() == Screen::Field; ++guard) {
            if (flow->field()->id == "description")
                return;
            flow->next(now);
        }
        FAIL("no description field");
    }
};

} // namespace

TEST_CASE("handwriting: the pad's ink and candidates live in the session and are wiped",
          "[assist][handwriting][wipe]") {
    auto r = ZinniaRecognizer::open(kDefaultHandwritingModel);
    REQUIRE(r.ok());
    const ZinniaRecognizer& model = *r.value();
    CHECK_FALSE(model.modelLoaded()); // checked at open, not kept: most sessions never draw
    FlowFixture fx;
    fx.flow->setHandwritingRecognizer(r.value().get());
    fx.toDescription();
    const Session& s = fx.flow->session();
    fx.flow->toggleHandwriting(fx.now);
    REQUIRE(s.handwritingOpen);
    bool first = true;
    std::uint16_t stroke = 0;
    for (const InkPoint& p : shi()) {
        fx.flow->addInkPoint(p.x, p.y, first || p.stroke != stroke, fx.now);
        first = false;
        stroke = p.stroke;
        if (p.y == 500 && p.x == 870) {
            fx.flow->endInkStroke(fx.now); // end of the first stroke: candidates already
            CHECK_FALSE(s.handwritingCandidates().empty());
        }
    }
    fx.flow->endInkStroke(fx.now);
    CHECK(s.ink().size() == 22);
    CHECK(s.ink().back().stroke == 1);
    REQUIRE_FALSE(s.handwritingCandidates().empty());
    std::size_t at = 0;
    while (at < s.handwritingCandidates().size() && s.handwritingCandidates()[at] != "十")
        ++at;
    REQUIRE(at < 3);
    fx.flow->chooseHandwriting(at, fx.now);
    REQUIRE(s.answers().get("description"));
    CHECK(s.answers().get("description")->text() == "十");
    CHECK(s.ink().empty()); // a chosen character clears the pad
    CHECK(s.handwritingCandidates().empty());
    // Ink left on the pad goes with the session.
    const auto one = yi();
    for (std::size_t i = 0; i < one.size(); ++i)
        fx.flow->addInkPoint(one[i].x, one[i].y, i == 0, fx.now);
    fx.flow->endInkStroke(fx.now);
    CHECK_FALSE(s.ink().empty());
    CHECK_FALSE(s.handwritingCandidates().empty());
    CHECK(model.modelLoaded());
    fx.flow->startOver(fx.now);
    CHECK(s.ink().empty());
    CHECK(s.handwritingCandidates().empty());
    CHECK_FALSE(s.handwritingOpen);
    CHECK_FALSE(model.modelLoaded()); // released with the session that used it
    // Points outside the pad are clamped; a closed pad takes no ink.
    fx.flow->addInkPoint(5, 5, true, fx.now);
    CHECK(s.ink().empty());
}

TEST_CASE("[ui] read_aloud and the assist paths", "[assist][config]") {
    FlowFixture off;
    CHECK_FALSE(off.config.uiReadAloud);
    CHECK_FALSE(off.flow->session().readAloud);
    CHECK(off.config.uiPinyinDictionary == kDefaultPinyinDictionary);
    CHECK(off.config.uiHandwritingModel == kDefaultHandwritingModel);
    CHECK(off.config.uiReadAloudVoice == "cmn-latn-pinyin");
    FlowFixture on("\nread_aloud = true\nread_aloud_recordings = \"voice\"\n");
    CHECK(on.config.uiReadAloud);
    CHECK(on.config.uiReadAloudRecordings == (configDir() / "voice").lexically_normal());
    KioskFlow& f = *on.flow;
    CHECK(f.session().readAloud);
    f.toggleReadAloud(on.now);
    CHECK_FALSE(f.session().readAloud);
    f.startOver(on.now); // 重新开始 keeps this person's choice...
    CHECK_FALSE(f.session().readAloud);
    on.now += on.config.idleTimeoutSeconds + 1;
    CHECK(f.tick(on.now)); // ...the idle wipe restores the kiosk's default
    CHECK(f.session().readAloud);
    auto bad = parseKioskConfig(withUiKeys("\nread_aloud_voice = \"a b\"\n"),
                                configDir() / "kiosk.example.toml");
    CHECK_FALSE(bad.ok());
}
