// `onair loadgen`: synthetic load before (and during) an event: `devices` runs virtual
// devices through the real playback flow on a load profile (docs/loadgen.md).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace onair::app {

std::function<int()> AddLoadgenCommand(CLI::App& app);

}  // namespace onair::app
