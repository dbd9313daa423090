// `onair pipeline`: flags -> PipelineConfig, then run until Ctrl-C or --duration.
#pragma once

#include <CLI/CLI.hpp>

namespace onair::app {

struct PipelineFlags;
// Adds the subcommand to `app`; returns a runner to call when it was chosen.
std::function<int()> AddPipelineCommand(CLI::App& app);
std::function<int()> AddDemoCommand(CLI::App& app);

}  // namespace onair::app
