#include "kiosk/ui/speak_command.hpp"

#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/read_aloud.hpp"
#include "kiosk/core/spoken_prompts.hpp"

#include <chrono>
#include <iostream>
#include <memory>

namespace minsheng::kiosk::ui {

namespace {

struct SpeakArgs {
    std::string config;
    std::string wav;
    std::string locale = "zh-CN";
    std::string text;
};

int runSpeak(const SpeakArgs& a) {
    auto config = loadKioskConfig(a.config);
    if (!config) {
        std::cerr << "minsheng-kiosk: " << config.error().toString() << "\n";
        return 2;
    }
    ReadAloudOptions o;
    o.pinyinDictionary = config->uiPinyinDictionary;
    o.espeakData = config->uiEspeakData;
    o.mandarinVoice = config->uiReadAloudVoice;
    o.recordings = config->uiReadAloudRecordings;
    auto prompts = loadSpokenPrompts(config.value(), forms::kLocaleZh);
    if (!prompts) {
        std::cerr << "minsheng-kiosk: " << prompts.error().toString() << "\n";
        return 2;
    }
    o.pinnedReadings = pinnedReadings(prompts.value());
    auto synth = SpeechSynthesizer::open(o);
    if (!synth) {
        std::cerr << "minsheng-kiosk: " << synth.error().message << "\n";
        return 3;
    }
    const SpeechLanguage language = speechLanguageFor(a.locale);
    Pcm pcm;
    const auto started = std::chrono::steady_clock::now();
    if (const auto* rec = synth.value()->recordingFor(a.text)) {
        auto r = readWav(*rec);
        if (!r) {
            std::cerr << "minsheng-kiosk: " << r.error().message << "\n";
            return 3;
        }
        std::cout << "recording " << rec->string() << "\n";
        pcm = std::move(r.value());
    } else {
        const std::string fed = synth.value()->feedText(a.text, language);
        std::cout << fed << "\n";
        auto r = synth.value()->synthesize(fed, language);
        if (!r) {
            std::cerr << "minsheng-kiosk: " << r.error().message << "\n";
            return 3;
        }
        pcm = std::move(r.value());
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::cerr << "minsheng-kiosk: " << pcm.samples.size() / pcm.channels << " samples at "
              << pcm.rate << " Hz (" << static_cast<double>(pcm.samples.size()) / pcm.rate
              << " s) in " << ms << " ms, rms " << rms(pcm) << "\n";
    if (!a.wav.empty()) {
        std::string error;
        if (!writeWav(a.wav, pcm, error)) {
            std::cerr << "minsheng-kiosk: " << error << "\n";
            return 3;
        }
        return 0;
    }
    std::atomic<bool> stop{false};
    if (!openSystemAudio()->play(pcm, stop))
        std::cerr << "minsheng-kiosk: no audio device; nothing played (use --wav FILE)\n";
    return 0;
}

} // namespace

void addSpeakCommand(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<SpeakArgs>();
    auto* cmd = app.add_subcommand(
        "speak", "Say TEXT as the kiosk's read-aloud would; print what the synthesiser is fed.");
    cmd->add_option("--config", args->config, "Kiosk configuration (kiosk.toml)")->required();
    cmd->add_option("--wav", args->wav, "Write the speech to this WAV file instead of playing it");
    cmd->add_option("--locale", args->locale, "zh-CN (Mandarin, default) or en");
    cmd->add_option("text", args->text, "The prompt")->required();
    cmd->callback([args, &run] {
        run = [args] {
            return runSpeak(*args);
        };
    });
}

} // namespace minsheng::kiosk::ui
