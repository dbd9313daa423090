// `onair origin`: flags -> OriginConfig, then serve until Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddOriginCommand(CLI::App& app);

}  // namespace onair::app
