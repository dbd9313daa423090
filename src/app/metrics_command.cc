#include "app/metrics_command.h"

#include <cstdio>
#include <map>
#include <memory>

#include "app/serve.h"
#include "metrics/service.h"

namespace onair::app {

using metrics::AlertThresholds;
using metrics::CollectorOptions;

std::function<int()> AddMetricsCommand(CLI::App& app) {
  auto c = std::make_shared<metrics::MetricsConfig>();
  c->service.listen.host = "0.0.0.0";
  c->service.listen.port = 8083;
  CLI::App* cmd = app.add_subcommand(
      "metrics", "Take players' QoE events, keep every event's figures per second");
  auto flags = AddServiceFlags(cmd, c->service);
  CollectorOptions& co = c->monitor.collector;
  cmd->add_option("--late", co.late_s, "seconds an event may come late and still count")
      ->check(CLI::Range(int64_t{1}, int64_t{600}))
      ->capture_default_str();
  cmd->add_option("--keep", co.keep_s, "seconds of figures kept per event")
      ->check(CLI::Range(int64_t{60}, int64_t{7 * 86'400}))
      ->capture_default_str();
  cmd->add_option("--playback", c->watch.playback_url,
                  "the playback service to watch: its levers and edge fleet (admin API); the "
                  "fleet's edges are scraped too");
  cmd->add_option("--playback-token", c->watch.playback_token,
                  "the playback service's admin token");
  auto scrapes = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--scrape", *scrapes,
                  "NAME=URL: a service whose /metrics to watch (origin, playback; repeatable)");
  cmd->add_option("--alertmanager", c->alertmanager_url,
                  "Alertmanager to send alerts to (its base URL, e.g. http://127.0.0.1:9093)");
  AlertThresholds& t = c->monitor.thresholds;
  cmd->add_option("--alert-window", t.window_s, "seconds of figures each alert judges")
      ->check(CLI::Range(int64_t{2}, int64_t{30}))
      ->capture_default_str();
  cmd->add_option("--alert-for", t.for_s, "seconds a condition holds before its alert fires")
      ->check(CLI::Range(int64_t{0}, int64_t{600}))
      ->capture_default_str();
  cmd->add_option("--alert-clear", c->monitor.book.clear_s,
                  "seconds a condition is gone before its alert resolves")
      ->check(CLI::Range(int64_t{1}, int64_t{3600}))
      ->capture_default_str();
  cmd->add_option("--settle", c->monitor.settle_s,
                  "seconds after which a second's starts are judged against their baseline")
      ->check(CLI::Range(int64_t{0}, int64_t{60}))
      ->capture_default_str();
  cmd->add_option("--nats", c->nats.url,
                  "NATS to meet the other metrics processes at (nats://host:port): collectors "
                  "publish their seconds there, an aggregator merges them; without it this "
                  "process does both");
  cmd->add_option("--role", c->nats.role, "with --nats: collector or aggregator")
      ->transform(CLI::CheckedTransformer(std::map<std::string, metrics::Role>{
          {"collector", metrics::Role::kCollector}, {"aggregator", metrics::Role::kAggregator}}))
      ->needs("--nats");
  cmd->add_option("--nats-buffer", c->nats.buffer_bytes,
                  "bytes of parts a collector keeps while NATS is slow or away; then the "
                  "oldest are dropped (counted)")
      ->check(CLI::Range(size_t{4096}, size_t{1} << 30))
      ->capture_default_str();
  return [c, cmd, flags, scrapes]() -> int {
    if (!cmd->parsed()) return -1;
    for (const std::string& flag : *scrapes) {
      auto target = metrics::ParseScrapeFlag(flag);
      if (!target.ok()) {
        std::fprintf(stderr, "onair metrics: %s\n", target.status().message().c_str());
        return 2;
      }
      c->watch.targets.push_back(*target);
    }
    return PrepareAndServe<metrics::MetricsService>(*flags, *c, "metrics");
  };
}

}  // namespace onair::app
