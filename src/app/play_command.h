// `onair play`: the headless player on the command line, with a live status line and a
// summary (text, and JSON for scripts and tests).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddPlayCommand(CLI::App& app);

}  // namespace onair::app
