#include "app/metrics_command.h"

#include <memory>

#include "app/serve.h"
#include "metrics/service.h"

namespace onair::app {

std::function<int()> AddMetricsCommand(CLI::App& app) {
  auto c = std::make_shared<metrics::MetricsConfig>();
  c->service.listen.host = "0.0.0.0";
  c->service.listen.port = 8083;
  CLI::App* cmd = app.add_subcommand(
      "metrics", "Take players' QoE events, keep every event's figures per second");
  auto flags = AddServiceFlags(cmd, c->service);
  cmd->add_option("--late", c->collector.late_s, "seconds an event may come late and still count")
      ->check(CLI::Range(int64_t{1}, int64_t{600}))
      ->capture_default_str();
  cmd->add_option("--keep", c->collector.keep_s, "seconds of figures kept per event")
      ->check(CLI::Range(int64_t{60}, int64_t{7 * 86'400}))
      ->capture_default_str();
  return [c, cmd, flags]() -> int {
    if (!cmd->parsed()) return -1;
    return PrepareAndServe<metrics::MetricsService>(*flags, *c, "metrics");
  };
}

}  // namespace onair::app
