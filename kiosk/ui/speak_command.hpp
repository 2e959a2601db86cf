// `minsheng-kiosk speak --config KIOSK.toml [--wav FILE] [--locale zh-CN|en] TEXT`: says TEXT as
// the kiosk's read-aloud would (kiosk/core/read_aloud.hpp) and prints what the synthesiser was
// fed (tone-numbered pinyin for Mandarin, the configuration's pinned reading when TEXT has one).
// With --wav it writes the speech to FILE instead of playing it, which needs no audio device. Exit
// 0; 2 bad arguments or configuration; 3 the synthesiser, the voice or the dictionary failed.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace minsheng::kiosk::ui {

void addSpeakCommand(CLI::App& app, std::function<int()>& run);

} // namespace minsheng::kiosk::ui
