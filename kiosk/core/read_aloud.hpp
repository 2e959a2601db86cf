// Read-aloud: the kiosk speaks a screen's title, question and options.
//
// Mandarin goes through libespeak-ng's `cmn-latn-pinyin` voice fed with tone-numbered pinyin
// (PinyinReading). Debian 12's `cmn` voice cannot be used: fed characters, it reads each one's
// pinyin and tone number as English words (a known upstream problem). English prompts go to the
// `en` voice as they are. A configuration may ship recorded audio for a prompt ([ui]
// read_aloud_recordings, a folder with index.toml: `"我要反映问题" = "report.wav"`, 16-bit PCM
// WAV); a recorded prompt is played instead of synthesised.
//
// What is read is only fixed text (titles, questions, options from the configuration and the
// catalogue), never what a parent typed; nothing is written to disk.
//
// Threads: SpeechSynthesizer wraps libespeak-ng, a process-wide singleton; only one thread may
// use it. ReadAloud owns a worker thread that does all synthesis and playback: say() replaces
// whatever is being said (the current utterance stops within one audio chunk, ~50 ms), stop()
// silences it. The worker never touches the UI and never reports to it: there is nothing to
// show. Without an audio device (or without libasound) playback does nothing, silently.
#pragma once

#include "crypto/result.hpp"
#include "kiosk/core/pinyin_reading.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace minsheng::kiosk {

enum class SpeechLanguage { Mandarin, English };
SpeechLanguage speechLanguageFor(std::string_view locale); // "en" → English, else Mandarin

struct ReadAloudOptions {
    std::filesystem::path pinyinDictionary = kDefaultPinyinDictionary;
    std::filesystem::path espeakData; // empty: libespeak-ng's own default
    std::string mandarinVoice = "cmn-latn-pinyin";
    std::string englishVoice = "en";
    std::filesystem::path recordings; // empty: none
    /// Prompts whose reading the configuration pins (`reading = "..."` next to the text):
    /// Chinese text → one tone-numbered syllable per Chinese character (spokenPrompts()).
    std::map<std::string, std::string, std::less<>> pinnedReadings;
};

struct SpeechError {
    enum class Kind { Dictionary, Synthesizer, Voice, Recording, File };
    Kind kind = Kind::Synthesizer;
    std::string message;
};

/// 16-bit PCM.
struct Pcm {
    int rate = 22050;
    int channels = 1;
    std::vector<std::int16_t> samples; // interleaved
};

/// Root mean square of the samples (full scale 32767): above ~300 is audible speech.
double rms(const Pcm& pcm);
[[nodiscard]] bool writeWav(const std::filesystem::path& path, const Pcm& pcm, std::string& error);
[[nodiscard]] Result<Pcm, SpeechError> readWav(const std::filesystem::path& path);

class SpeechSynthesizer {
public:
    /// Loads the pinyin dictionary and the recordings index, initialises libespeak-ng for
    /// synthesis into memory (no audio device involved) and checks both voices exist.
    [[nodiscard]] static Result<std::unique_ptr<SpeechSynthesizer>, SpeechError>
    open(const ReadAloudOptions& options);
    ~SpeechSynthesizer();
    SpeechSynthesizer(const SpeechSynthesizer&) = delete;
    SpeechSynthesizer& operator=(const SpeechSynthesizer&) = delete;

    /// What the synthesiser is fed for `text`: tone-numbered pinyin (Mandarin; a pinned reading
    /// when the options have one for exactly this text) or the text.
    std::string feedText(std::string_view text, SpeechLanguage language) const;
    /// Synthesises `fed` (the result of feedText). When `stop` becomes true synthesis ends
    /// early and the samples so far are returned.
    [[nodiscard]] Result<Pcm, SpeechError> synthesize(std::string_view fed, SpeechLanguage language,
                                                      const std::atomic<bool>* stop = nullptr);
    /// The recording configured for exactly this prompt; nullptr when none.
    const std::filesystem::path* recordingFor(std::string_view text) const;
    const PinyinReading& pinyin() const { return m_pinyin; }

private:
    explicit SpeechSynthesizer(PinyinReading pinyin) : m_pinyin(std::move(pinyin)) {}
    PinyinReading m_pinyin;
    ReadAloudOptions m_options;
    std::map<std::string, std::filesystem::path, std::less<>> m_recordings;
    SpeechLanguage m_voice = SpeechLanguage::Mandarin;
    static std::atomic<bool> s_open; // one instance per process
};

/// Plays PCM on the default audio device. play() returns false when there is none.
class AudioOutput {
public:
    virtual ~AudioOutput() = default;
    /// Blocks until played or `stop` is true (checked between chunks of ~50 ms).
    virtual bool play(const Pcm& pcm, const std::atomic<bool>& stop) = 0;
};

/// ALSA's "default" device through libasound.so.2, loaded at run time so that building needs no
/// extra package (libasound2 is already there: libespeak-ng depends on it). ALSA's own error
/// messages are silenced. When the library or a device is missing, play() returns false.
std::unique_ptr<AudioOutput> openSystemAudio();

class ReadAloud {
public:
    /// Starts the worker, which opens the synthesiser at once (the dictionary takes a moment).
    ReadAloud(ReadAloudOptions options, std::unique_ptr<AudioOutput> output);
    ~ReadAloud(); // stops speech and joins the worker
    ReadAloud(const ReadAloud&) = delete;
    ReadAloud& operator=(const ReadAloud&) = delete;

    /// Speaks the segments one after another, replacing anything being said.
    void say(std::vector<std::string> segments, SpeechLanguage language);
    void stop();

    /// For tests and the staff screen: utterances finished, and whether the synthesiser failed
    /// to open (then read-aloud is silent).
    std::uint64_t finished() const { return m_finished; }
    bool failed() const { return m_failed; }
    /// Blocks until the worker is idle (tests).
    void waitIdle();

private:
    void run();

    ReadAloudOptions m_options;
    std::unique_ptr<AudioOutput> m_output;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_quit = false;
    bool m_busy = true; // until the synthesiser is open
    bool m_hasJob = false;
    std::vector<std::string> m_segments;
    SpeechLanguage m_language = SpeechLanguage::Mandarin;
    std::atomic<bool> m_stop{false};
    std::atomic<std::uint64_t> m_finished{0};
    std::atomic<bool> m_failed{false};
    std::thread m_thread;
};

} // namespace minsheng::kiosk
