#include "app/edge_command.h"

#include <chrono>
#include <memory>

#include "app/serve.h"
#include "edge/edge.h"

namespace onair::app {

std::function<int()> AddEdgeCommand(CLI::App& app) {
  auto c = std::make_shared<edge::EdgeConfig>();
  c->server.host = "0.0.0.0";
  c->server.port = 8081;
  CLI::App* cmd =
      app.add_subcommand("edge", "Cache and fan out live and catch-up objects to viewers");
  AddServerFlags(cmd, c->server);
  cmd->add_option("--upstream", c->upstreams,
                  "origin or parent edge base URL; repeat for failover, tried in order")
      ->required();
  cmd->add_option_function<double>(
         "--cache-mb", [c](double mb) { c->cache_bytes = static_cast<int64_t>(mb * (1 << 20)); },
         "cache size in MiB (fractions allowed)")
      ->check(CLI::PositiveNumber)
      ->default_str("1024");
  cmd->add_option("--access-log", c->access_log,
                  "file for one tab-separated line per viewer request (docs/edge.md)");
  return [c, cmd]() -> int {
    if (!cmd->parsed()) return -1;
    edge::Edge e(*c, &SystemClock::Instance());
    return ServeUntilStopped(e, "edge", c->server.host);
  };
}

}  // namespace onair::app
