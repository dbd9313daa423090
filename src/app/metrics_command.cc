#include "app/metrics_command.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>

#include "app/serve.h"
#include "core/event_config.h"
#include "metrics/report.h"
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
  cmd->add_option("--data", c->data_dir,
                  "folder to keep each event's closed seconds and the alerts in, for "
                  "`onair metrics report` after the show");
  // onair metrics report EVENT: the HTML report from the data folder.
  struct ReportFlags {
    std::string event, data, out;
  };
  auto r = std::make_shared<ReportFlags>();
  CLI::App* report = cmd->add_subcommand(
      "report", "Write an event's report (one self-contained HTML file) from the data folder");
  report->add_option("event", r->event, "the event")->required();
  report->add_option("--data", r->data, "the metrics service's data folder (its --data)")
      ->required();
  report->add_option("--out", r->out, "the file to write (default: DATA/EVENT/report.html)");
  return [c, cmd, flags, scrapes, report, r]() -> int {
    if (!cmd->parsed()) return -1;
    if (report->parsed()) {
      if (!IsSafeName(r->event)) {
        std::fprintf(stderr, "onair metrics report: not an event name: %s\n", r->event.c_str());
        return 2;
      }
      auto data = metrics::ReadReport(r->data, r->event);
      if (!data.ok()) {
        std::fprintf(stderr, "onair metrics report: %s\n", data.status().message().c_str());
        return 1;
      }
      const std::string out = r->out.empty() ? r->data + "/" + r->event + "/report.html" : r->out;
      std::ofstream file(out, std::ios::binary | std::ios::trunc);
      file << metrics::ReportHtml(*data);
      file.close();
      if (!file) {
        std::fprintf(stderr, "onair metrics report: cannot write %s\n", out.c_str());
        return 1;
      }
      std::printf("%s: %zu seconds, %zu alert changes\n", out.c_str(), data->seconds.size(),
                  data->alerts.size());
      return 0;
    }
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
