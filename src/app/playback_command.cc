#include "app/playback_command.h"

#include <memory>

#include "app/serve.h"
#include "core/log.h"
#include "playback/service.h"

namespace onair::app {

std::function<int()> AddPlaybackCommand(CLI::App& app) {
  auto c = std::make_shared<playback::PlaybackConfig>();
  c->service.listen.host = "0.0.0.0";
  c->service.listen.port = 8082;
  CLI::App* cmd = app.add_subcommand(
      "playback", "Answer play starts with manifests made for each device, steer them to edges");
  auto flags = AddServiceFlags(cmd, c->service);
  cmd->add_option("--origin", c->origins,
                  "origin (or edge) base URL the events are read from; repeat for failover")
      ->required();
  auto edges = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--edge", *edges,
                  "an edge viewers are sent to: NAME=URL[,region=R][,max-egress-mbps=N]"
                  "[,max-connections=N]; repeat (more through the admin API)");
  cmd->add_option("--metrics", c->metrics_url,
                  "the metrics service players' QoE batches are passed on to (its base URL)");
  cmd->add_option("--public-url", c->public_url,
                  "this service as devices reach it (clock and steering URLs in answers); "
                  "default: its own address");
  cmd->add_option("--steering-ttl", c->steering_ttl_s,
                  "seconds between a running player's content-steering reloads")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option_function<int64_t>(
         "--target-latency-ms", [c](int64_t ms) { c->target_latency_us = ms * 1000; },
         "latency target players are given (default: 1.5 segments)")
      ->check(CLI::Range(int64_t{100}, int64_t{120'000}));
  cmd->add_option_function<int64_t>(
         "--latency-target-us",
         [c](int64_t us) { c->service.admission.latency_target = std::chrono::microseconds(us); },
         "the service's own answer latency the concurrency limit keeps requests under")
      ->check(CLI::Range(int64_t{100}, int64_t{1'000'000}))
      ->default_str("5000");
  cmd->add_option_function<double>(
         "--max-concurrency", [c](double n) { c->service.admission.max_limit = n; },
         "the most requests answered at once, whatever latency says")
      ->check(CLI::Range(8.0, 1e6))
      ->default_str("20000");
  return [c, cmd, edges, flags]() -> int {
    if (!cmd->parsed()) return -1;
    for (const std::string& flag : *edges) {
      auto e = playback::ParseEdgeFlag(flag);
      if (!e.ok()) {
        Logger("onair")->error("{}", e.status().message());
        return 2;
      }
      c->edges.push_back(*e);
    }
    return PrepareAndServe<playback::PlaybackService>(*flags, *c, "playback");
  };
}

}  // namespace onair::app
