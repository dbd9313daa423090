// `onair metrics`: flags -> MetricsConfig, then serve until Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddMetricsCommand(CLI::App& app);

}  // namespace onair::app
