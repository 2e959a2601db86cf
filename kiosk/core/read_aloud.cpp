#include "kiosk/core/read_aloud.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>
#include <toml++/toml.h>

#include <cmath>
#include <cstdarg>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <malloc.h>

namespace minsheng::kiosk {

namespace fs = std::filesystem;

std::atomic<bool> SpeechSynthesizer::s_open{false};

SpeechLanguage speechLanguageFor(std::string_view locale) {
    return locale == "en" ? SpeechLanguage::English : SpeechLanguage::Mandarin;
}

double rms(const Pcm& pcm) {
    if (pcm.samples.empty())
        return 0;
    double sum = 0;
    for (std::int16_t s : pcm.samples)
        sum += static_cast<double>(s) * s;
    return std::sqrt(sum / static_cast<double>(pcm.samples.size()));
}

// ---- WAV: RIFF, "fmt " (PCM, 16-bit), "data"; little-endian -----------------------------------

namespace {

void put16(std::string& b, std::uint16_t v) {
    b += static_cast<char>(v & 0xFF);
    b += static_cast<char>(v >> 8);
}
void put32(std::string& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v & 0xFFFF));
    put16(b, static_cast<std::uint16_t>(v >> 16));
}
std::uint32_t get32(const std::string& b, std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}
std::uint16_t get16(const std::string& b, std::size_t at) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                      static_cast<unsigned char>(b[at + 1]) << 8);
}

} // namespace

bool writeWav(const fs::path& path, const Pcm& pcm, std::string& error) {
    const auto dataBytes = static_cast<std::uint32_t>(pcm.samples.size() * 2);
    std::string b;
    b += "RIFF";
    put32(b, 36 + dataBytes);
    b += "WAVEfmt ";
    put32(b, 16);
    put16(b, 1); // PCM
    put16(b, static_cast<std::uint16_t>(pcm.channels));
    put32(b, static_cast<std::uint32_t>(pcm.rate));
    put32(b, static_cast<std::uint32_t>(pcm.rate * pcm.channels * 2));
    put16(b, static_cast<std::uint16_t>(pcm.channels * 2));
    put16(b, 16);
    b += "data";
    put32(b, dataBytes);
    for (std::int16_t s : pcm.samples)
        put16(b, static_cast<std::uint16_t>(s));
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(b.data(), static_cast<std::streamsize>(b.size()));
    out.close();
    if (!out) {
        error = path.string() + ": cannot write";
        return false;
    }
    return true;
}

Result<Pcm, SpeechError> readWav(const fs::path& path) {
    const auto bad = [&](std::string why) {
        return fail(SpeechError{SpeechError::Kind::Recording, path.string() + ": " + why});
    };
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return bad("cannot open");
    std::string b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (b.size() < 12 || b.compare(0, 4, "RIFF") != 0 || b.compare(8, 4, "WAVE") != 0)
        return bad("not a WAV file");
    Pcm pcm;
    bool haveFormat = false;
    for (std::size_t at = 12; at + 8 <= b.size();) {
        const std::string id = b.substr(at, 4);
        const std::uint32_t size = get32(b, at + 4);
        const std::size_t body = at + 8;
        if (body + size > b.size())
            return bad("truncated");
        if (id == "fmt " && size >= 16) {
            if (get16(b, body) != 1 || get16(b, body + 14) != 16)
                return bad("only 16-bit PCM WAV is supported");
            pcm.channels = get16(b, body + 2);
            pcm.rate = static_cast<int>(get32(b, body + 4));
            haveFormat = pcm.channels >= 1 && pcm.channels <= 2 && pcm.rate >= 8000;
        } else if (id == "data" && haveFormat) {
            pcm.samples.resize(size / 2);
            for (std::size_t i = 0; i < pcm.samples.size(); ++i)
                pcm.samples[i] = static_cast<std::int16_t>(get16(b, body + 2 * i));
            return pcm;
        }
        at = body + size + (size & 1);
    }
    return bad(haveFormat ? "no data" : "no PCM format chunk (1-2 channels, 8 kHz or more)");
}

// ---- synthesis --------------------------------------------------------------------------------

namespace {

struct SynthTarget {
    Pcm* pcm;
    const std::atomic<bool>* stop;
};

int onSamples(short* wav, int count, espeak_EVENT* events) {
    auto* target = events ? static_cast<SynthTarget*>(events->user_data) : nullptr;
    if (!target)
        return 0;
    if (wav && count > 0)
        target->pcm->samples.insert(target->pcm->samples.end(), wav, wav + count);
    return target->stop && target->stop->load() ? 1 : 0; // 1 aborts synthesis
}

std::string statusText(espeak_ng_STATUS status) {
    char buf[256] = {};
    espeak_ng_GetStatusCodeMessage(status, buf, sizeof(buf));
    return buf;
}

} // namespace

Result<std::unique_ptr<SpeechSynthesizer>, SpeechError>
SpeechSynthesizer::open(const ReadAloudOptions& options) {
    auto pinyin = PinyinReading::load(options.pinyinDictionary);
    if (!pinyin)
        return fail(SpeechError{SpeechError::Kind::Dictionary, pinyin.error().message});
    std::map<std::string, fs::path, std::less<>> recordings;
    if (!options.recordings.empty()) {
        const fs::path index = options.recordings / "index.toml";
        try {
            const toml::table t = toml::parse_file(index.string());
            for (const auto& [key, value] : t) {
                const auto* file = value.as_string();
                if (!file || file->get().empty()) {
                    return fail(SpeechError{SpeechError::Kind::Recording,
                                            index.string() + ": \"" + std::string(key.str()) +
                                                "\" must name a WAV file"});
                }
                fs::path p(file->get());
                recordings.emplace(std::string(key.str()),
                                   p.is_absolute() ? p : options.recordings / p);
            }
        } catch (const toml::parse_error& e) {
            return fail(SpeechError{SpeechError::Kind::Recording,
                                    index.string() + ": " + std::string(e.description())});
        }
    }
    if (s_open.exchange(true)) {
        return fail(SpeechError{SpeechError::Kind::Synthesizer,
                                "libespeak-ng is already open in this process"});
    }
    std::unique_ptr<SpeechSynthesizer> s(new SpeechSynthesizer(std::move(pinyin.value())));
    s->m_options = options;
    s->m_recordings = std::move(recordings);
    // libespeak-ng is initialised once per process and never terminated: espeak_ng_Terminate
    // of 1.51 can hang joining its own (unused) playback thread. espeak_ng_* rather than
    // espeak_Initialize: they report through status codes instead of printing to stderr.
    static std::string initError = [&] {
        espeak_ng_InitializePath(options.espeakData.empty() ? nullptr : options.espeakData.c_str());
        espeak_ng_ERROR_CONTEXT context = nullptr;
        espeak_ng_STATUS st = espeak_ng_Initialize(&context);
        espeak_ng_ClearErrorContext(&context);
        if (st != ENS_OK) {
            return "libespeak-ng: " + statusText(st) +
                   " (Debian package espeak-ng-data; [ui] espeak_data)";
        }
        // Synchronous, into memory: synthesis never needs an audio device.
        st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
        if (st != ENS_OK) {
            return "libespeak-ng: " + statusText(st);
        }
        espeak_SetSynthCallback(onSamples);
        return std::string();
    }();
    if (!initError.empty()) {
        s_open = false;
        return fail(SpeechError{SpeechError::Kind::Synthesizer, initError});
    }
    for (const std::string* v : {&options.englishVoice, &options.mandarinVoice}) {
        const espeak_ng_STATUS st = espeak_ng_SetVoiceByName(v->c_str());
        if (st != ENS_OK) {
            s_open = false;
            return fail(SpeechError{SpeechError::Kind::Voice,
                                    "libespeak-ng: voice \"" + *v + "\": " + statusText(st)});
        }
    }
    s->m_voice = SpeechLanguage::Mandarin;
    return s;
}

SpeechSynthesizer::~SpeechSynthesizer() {
    s_open = false;
}

std::string SpeechSynthesizer::feedText(std::string_view text, SpeechLanguage language) const {
    if (language != SpeechLanguage::Mandarin)
        return std::string(text);
    const auto pinned = m_options.pinnedReadings.find(text);
    return pinned == m_options.pinnedReadings.end() ? m_pinyin.toPinyin(text)
                                                    : m_pinyin.toPinyin(text, pinned->second);
}

const fs::path* SpeechSynthesizer::recordingFor(std::string_view text) const {
    const auto it = m_recordings.find(text);
    return it == m_recordings.end() ? nullptr : &it->second;
}

Result<Pcm, SpeechError> SpeechSynthesizer::synthesize(std::string_view fed,
                                                       SpeechLanguage language,
                                                       const std::atomic<bool>* stop) {
    if (language != m_voice) {
        const std::string& v =
            language == SpeechLanguage::Mandarin ? m_options.mandarinVoice : m_options.englishVoice;
        const espeak_ng_STATUS st = espeak_ng_SetVoiceByName(v.c_str());
        if (st != ENS_OK) {
            return fail(SpeechError{SpeechError::Kind::Voice,
                                    "libespeak-ng: voice \"" + v + "\": " + statusText(st)});
        }
        m_voice = language;
    }
    Pcm pcm;
    pcm.rate = espeak_ng_GetSampleRate();
    SynthTarget target{&pcm, stop};
    const std::string text(fed); // NUL-terminated
    const espeak_ng_STATUS st =
        espeak_ng_Synthesize(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                             espeakCHARS_UTF8 | espeakENDPAUSE, nullptr, &target);
    if (st != ENS_OK && st != ENS_SPEECH_STOPPED)
        return fail(SpeechError{SpeechError::Kind::Synthesizer, "libespeak-ng: " + statusText(st)});
    return pcm;
}

// ---- ALSA, loaded at run time -------------------------------------------------------------------

namespace {

// The few libasound entry points used, with their documented C signatures (alsa/pcm.h).
struct AlsaApi {
    using Open = int (*)(void**, const char*, int, int);
    using SetParams = int (*)(void*, int, int, unsigned, unsigned, int, unsigned);
    using WriteI = long (*)(void*, const void*, unsigned long);
    using Recover = int (*)(void*, int, int);
    using Simple = int (*)(void*);
    using ErrorHandler = void (*)(const char*, int, const char*, int, const char*, ...);
    using SetErrorHandler = int (*)(ErrorHandler);
    static constexpr int kStreamPlayback = 0;      // SND_PCM_STREAM_PLAYBACK
    static constexpr int kFormatS16Le = 2;         // SND_PCM_FORMAT_S16_LE
    static constexpr int kAccessRwInterleaved = 3; // SND_PCM_ACCESS_RW_INTERLEAVED
    void* lib = nullptr;
    Open open = nullptr;
    SetParams setParams = nullptr;
    WriteI writei = nullptr;
    Recover recover = nullptr;
    Simple drain = nullptr, drop = nullptr, close = nullptr;
};

void quietAlsa(const char*, int, const char*, int, const char*, ...) {}

class AlsaOutput final : public AudioOutput {
public:
    AlsaOutput() {
        m_api.lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_LOCAL);
        if (!m_api.lib)
            return;
        const auto sym = [&](const char* name) {
            return dlsym(m_api.lib, name);
        };
        m_api.open = reinterpret_cast<AlsaApi::Open>(sym("snd_pcm_open"));
        m_api.setParams = reinterpret_cast<AlsaApi::SetParams>(sym("snd_pcm_set_params"));
        m_api.writei = reinterpret_cast<AlsaApi::WriteI>(sym("snd_pcm_writei"));
        m_api.recover = reinterpret_cast<AlsaApi::Recover>(sym("snd_pcm_recover"));
        m_api.drain = reinterpret_cast<AlsaApi::Simple>(sym("snd_pcm_drain"));
        m_api.drop = reinterpret_cast<AlsaApi::Simple>(sym("snd_pcm_drop"));
        m_api.close = reinterpret_cast<AlsaApi::Simple>(sym("snd_pcm_close"));
        auto setHandler =
            reinterpret_cast<AlsaApi::SetErrorHandler>(sym("snd_lib_error_set_handler"));
        if (setHandler)
            setHandler(quietAlsa); // no "ALSA lib ... cannot find card" on stderr
        m_ok = m_api.open && m_api.setParams && m_api.writei && m_api.recover && m_api.drain &&
               m_api.drop && m_api.close && setHandler;
    }
    ~AlsaOutput() override {
        if (m_api.lib)
            dlclose(m_api.lib);
    }

    bool play(const Pcm& pcm, const std::atomic<bool>& stop) override {
        if (!m_ok || pcm.samples.empty())
            return false;
        void* h = nullptr;
        if (m_api.open(&h, "default", AlsaApi::kStreamPlayback, 0) < 0 || !h)
            return false; // no device: silent
        if (m_api.setParams(h, AlsaApi::kFormatS16Le, AlsaApi::kAccessRwInterleaved,
                            static_cast<unsigned>(pcm.channels), static_cast<unsigned>(pcm.rate), 1,
                            200000) < 0) {
            m_api.close(h);
            return false;
        }
        const std::size_t frames = pcm.samples.size() / static_cast<std::size_t>(pcm.channels);
        const std::size_t chunk = static_cast<std::size_t>(pcm.rate) / 20; // 50 ms
        bool stopped = false;
        for (std::size_t at = 0; at < frames;) {
            if (stop) {
                stopped = true;
                break;
            }
            const std::size_t n = std::min(chunk, frames - at);
            const long w = m_api.writei(h, pcm.samples.data() + at * pcm.channels, n);
            if (w < 0) {
                if (m_api.recover(h, static_cast<int>(w), 1) < 0)
                    break;
                continue;
            }
            at += static_cast<std::size_t>(w);
        }
        if (stopped)
            m_api.drop(h);
        else
            m_api.drain(h);
        m_api.close(h);
        return true;
    }

private:
    AlsaApi m_api;
    bool m_ok = false;
};

} // namespace

std::unique_ptr<AudioOutput> openSystemAudio() {
    return std::make_unique<AlsaOutput>();
}

// ---- the worker ---------------------------------------------------------------------------------

ReadAloud::ReadAloud(ReadAloudOptions options, std::unique_ptr<AudioOutput> output)
    : m_options(std::move(options)), m_output(std::move(output)) {
    m_thread = std::thread([this] { run(); });
}

ReadAloud::~ReadAloud() {
    {
        std::lock_guard lock(m_mutex);
        m_quit = true;
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void ReadAloud::say(std::vector<std::string> segments, SpeechLanguage language) {
    {
        std::lock_guard lock(m_mutex);
        m_segments = std::move(segments);
        m_language = language;
        m_hasJob = true;
        m_stop = true; // interrupt the current utterance; the worker clears it for the new one
    }
    m_cv.notify_all();
}

void ReadAloud::stop() {
    std::lock_guard lock(m_mutex);
    m_hasJob = false;
    m_segments.clear();
    m_stop = true;
    m_cv.notify_all();
}

void ReadAloud::waitIdle() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_busy && !m_hasJob; });
}

void ReadAloud::run() {
    std::unique_ptr<SpeechSynthesizer> synth;
    if (auto s = SpeechSynthesizer::open(m_options))
        synth = std::move(s.value());
    else
        m_failed = true; // read-aloud stays silent; the staff screen can say so
    // Loading the dictionary and the word list freed some 10 MB of scratch in the middle of the
    // heap while the window was starting: hand it back now rather than keep it resident.
    malloc_trim(0);
    std::unique_lock lock(m_mutex);
    m_busy = false;
    m_cv.notify_all();
    for (;;) {
        m_cv.wait(lock, [&] { return m_quit || m_hasJob; });
        if (m_quit)
            return;
        std::vector<std::string> segments = std::move(m_segments);
        m_segments.clear();
        const SpeechLanguage language = m_language;
        m_hasJob = false;
        m_busy = true;
        m_stop = false;
        lock.unlock();
        for (const std::string& text : segments) {
            if (m_stop || !synth)
                break;
            Pcm pcm;
            if (const fs::path* rec = synth->recordingFor(text)) {
                if (auto r = readWav(*rec))
                    pcm = std::move(r.value());
            }
            if (pcm.samples.empty()) {
                auto r = synth->synthesize(synth->feedText(text, language), language, &m_stop);
                if (!r)
                    break;
                pcm = std::move(r.value());
            }
            if (m_output) {
                // false without a device: nothing to hear; a device plugged in later works.
                m_output->play(pcm, m_stop);
            }
        }
        m_finished.fetch_add(1);
        lock.lock();
        m_busy = false;
        m_cv.notify_all();
    }
}

} // namespace minsheng::kiosk
