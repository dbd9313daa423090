// onair: one executable, a subcommand per service. Each subcommand only wires up its
// service's library; `onair demo` runs them together.
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

#include "app/demo_command.h"
#include "app/edge_command.h"
#include "app/loadgen_command.h"
#include "app/metrics_command.h"
#include "app/origin_command.h"
#include "app/pipeline_command.h"
#include "app/play_command.h"
#include "app/playback_command.h"
#include "app/signals.h"
#include "core/log.h"
#include "media/frame.h"

int main(int argc, char** argv) {
  CLI::App app{"onair: live streaming from feed to viewer"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "debug, info, warn or error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();

  // The subcommand table.
  std::vector<std::function<int()>> commands = {
      onair::app::AddPipelineCommand(app), onair::app::AddOriginCommand(app),
      onair::app::AddEdgeCommand(app),     onair::app::AddPlaybackCommand(app),
      onair::app::AddPlayCommand(app),     onair::app::AddMetricsCommand(app),
      onair::app::AddDemoCommand(app),     onair::app::AddLoadgenCommand(app),
  };

  CLI11_PARSE(app, argc, argv);
  onair::SetLogLevel(log_level);
  onair::media::SetLibraryLogLevel(log_level);
  // Ctrl-C and SIGTERM ask whichever service runs to stop cleanly.
  onair::app::InstallStopSignals();
  for (auto& run : commands) {
    const int rc = run();
    if (rc >= 0) return rc;
  }
  return 2;
}
