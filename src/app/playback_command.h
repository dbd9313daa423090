// `onair playback`: flags -> PlaybackConfig, then serve until Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddPlaybackCommand(CLI::App& app);

}  // namespace onair::app
