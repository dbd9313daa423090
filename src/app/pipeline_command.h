// `onair pipeline`: flags -> PipelineConfig, then run until Ctrl-C or --duration.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/event_config.h"
#include "core/status.h"

namespace onair::app {

struct PipelineFlags {
  std::string source = "test";
  std::string event;
  std::string ast;
  double segment_duration = 0;
  double chunk_duration = 0;
  std::string frame_rate;
  std::string ladder;
  std::string pipeline_id = "A";
  std::string out;
  std::vector<std::string> publish;
  std::string token;
  double duration = 0;
  double input_timeout = 0.5;
  int threads = 0;
};

// The event the flags describe: the ladder file (or the default), then each flag over it.
StatusOr<EventConfig> EventFromFlags(const PipelineFlags& f);
// Runs one pipeline until Ctrl-C or its duration; the process's exit code.
int RunPipeline(const PipelineFlags& f);

// Adds the subcommand to `app`; returns a runner to call when it was chosen.
std::function<int()> AddPipelineCommand(CLI::App& app);

}  // namespace onair::app
