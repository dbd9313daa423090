// `onair demo`: the whole system on this machine, in one process, with the built-in test
// stream and embedded defaults.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddDemoCommand(CLI::App& app);

}  // namespace onair::app
