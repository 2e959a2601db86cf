// `minsheng-kiosk pinyin --config KIOSK.toml LETTERS`: the first candidates the kiosk's pinyin
// keyboard would offer for LETTERS, one per line — for checking a kiosk's deployed Rime data
// ([input] rime_data) without a screen.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace minsheng::kiosk {

void addPinyinCommand(CLI::App& app, std::function<int()>& run);

} // namespace minsheng::kiosk
