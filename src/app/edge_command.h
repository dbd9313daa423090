// `onair edge`: flags -> EdgeConfig, then serve until Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddEdgeCommand(CLI::App& app);

}  // namespace onair::app
