#include "kiosk/app/pinyin_command.hpp"

#include "kiosk/core/kiosk_config.hpp"
#include "kiosk/core/pinyin_input_method.hpp"

#include <iostream>
#include <memory>
#include <string>

namespace minsheng::kiosk {

namespace {

struct PinyinArgs {
    std::string config;
    std::string letters;
    std::size_t count = 10;
};

/// Takes nothing: the candidates are only printed.
class NullTarget final : public TextTarget {
public:
    void insert(std::string_view) override {}
    void backspace() override {}
    bool multiline() const override { return false; }
};

int runPinyin(const PinyinArgs& a) {
    auto config = loadKioskConfig(a.config);
    if (!config) {
        std::cerr << "minsheng-kiosk: " << config.error().toString() << "\n";
        return 2;
    }
    if (a.letters.empty() ||
        a.letters.find_first_not_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos) {
        std::cerr << "minsheng-kiosk: LETTERS are pinyin without tones or spaces, a-z only "
                     "(e.g. woyaotousu).\n";
        return 2;
    }
    auto ime = PinyinInputMethod::open(config->inputRimeData, [](const std::string& line) {
        std::cerr << "minsheng-kiosk: " << line << "\n";
    });
    if (!ime) {
        std::cerr << "minsheng-kiosk: " << ime.error() << "\n";
        return 2;
    }
    NullTarget sink;
    for (char c : a.letters) {
        const char key[1] = {c};
        (*ime)->feed(ImeKey{ImeKey::Kind::Text, std::string_view(key, 1)}, sink);
    }
    for (std::size_t i = 0; i < std::min(a.count, (*ime)->candidateCount()); ++i)
        std::cout << (*ime)->candidate(i) << "\n";
    return 0;
}

} // namespace

void addPinyinCommand(CLI::App& app, std::function<int()>& run) {
    auto args = std::make_shared<PinyinArgs>();
    auto* cmd = app.add_subcommand(
        "pinyin", "Print the first candidates the kiosk's pinyin keyboard offers for LETTERS, one "
                  "per line (checks the deployed Rime data of [input] rime_data).");
    cmd->add_option("--config", args->config, "Kiosk configuration (kiosk.toml)")->required();
    cmd->add_option("--count", args->count, "How many candidates (default 10)")
        ->check(CLI::Range(1, static_cast<int>(PinyinInputMethod::kMaxCandidates)));
    cmd->add_option("LETTERS", args->letters, "Pinyin letters a-z, e.g. woyaotousu")->required();
    cmd->callback([&run, args] {
        run = [args] {
            return runPinyin(*args);
        };
    });
}

} // namespace minsheng::kiosk
