#include "app/edge_command.h"

#include <chrono>
#include <memory>

#include "app/serve.h"
#include "edge/announce.h"
#include "edge/edge.h"

namespace onair::app {

std::function<int()> AddEdgeCommand(CLI::App& app) {
  auto c = std::make_shared<edge::EdgeConfig>();
  c->service.listen.host = "0.0.0.0";
  c->service.listen.port = 8081;
  CLI::App* cmd =
      app.add_subcommand("edge", "Cache and fan out live and catch-up objects to viewers");
  auto flags = AddServiceFlags(cmd, c->service);
  cmd->add_option("--upstream", c->upstreams,
                  "origin or parent edge base URL; repeat for failover, tried in order")
      ->required();
  cmd->add_option_function<double>(
         "--cache-mb", [c](double mb) { c->cache_bytes = static_cast<int64_t>(mb * (1 << 20)); },
         "cache size in MiB (fractions allowed)")
      ->check(CLI::PositiveNumber)
      ->default_str("1024");
  cmd->add_option_function<int64_t>(
         "--clock-skew-ms", [c](int64_t ms) { c->clock_skew = std::chrono::milliseconds(ms); },
         "how far this clock may be ahead of the origin's: segments later than the next one "
         "are refused here only beyond it")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000}))
      ->default_str("500");
  auto grace = std::make_shared<double>(0);
  cmd->add_option("--drain-seconds", *grace,
                  "on SIGTERM or Ctrl-C, drain this long (still serving, /readyz 503, status "
                  "draining) before stopping; a second signal stops at once")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_flag("--prefetch,!--no-prefetch", c->prefetch,
                "start the next segment's fill before its first chunk, for each rendition "
                "watched at the live edge (default on)");
  auto announce = std::make_shared<edge::AnnounceOptions>();
  cmd->add_option("--announce", announce->service,
                  "playback service to register with (PUT /admin/edges/NAME every 5 s)");
  cmd->add_option("--announce-token", announce->token, "the playback service's admin token");
  cmd->add_option("--name", announce->name, "this edge's name at the playback service")
      ->default_str("edge-PORT");
  cmd->add_option("--region", announce->region, "the region this edge serves (none: every one)");
  cmd->add_option("--public-url", announce->base_url,
                  "where viewers reach this edge (default: http://HOST:PORT)");
  cmd->add_option_function<int64_t>(
      "--max-egress-mbps", [announce](int64_t m) { announce->max_egress_bps = m * 1'000'000; },
      "capacity announced: egress");
  cmd->add_option("--max-connections", announce->max_connections,
                  "capacity announced: connections");
  return [c, cmd, flags, grace, announce]() -> int {
    if (!cmd->parsed()) return -1;
    if (Status s = PrepareService(*flags, c->service); !s.ok()) {
      LogServiceError(s);
      return 2;
    }
    edge::Edge e(*c, &SystemClock::Instance());
    Served served = ServedOf(e);
    served.more = [&]() -> std::string {
      if (announce->service.empty()) return "";
      // Once it listens, it announces itself to the playback service.
      edge::AnnounceOptions o = *announce;
      const std::string& host = c->service.listen.host;
      const std::string local = host == "0.0.0.0" ? "127.0.0.1" : host;
      if (o.name.empty()) o.name = "edge-" + std::to_string(e.port());
      if (o.base_url.empty()) o.base_url = "http://" + local + ":" + std::to_string(e.port());
      Status s = e.Announce(o);
      return s.ok() ? "announcing to " + o.service + " as " + o.name + "\n"
                    : "not announcing: " + std::string(s.message()) + "\n";
    };
    const Drain drain{[&] { e.Drain(); },
                      std::chrono::milliseconds(static_cast<int64_t>(*grace * 1000))};
    return ServeUntilStopped(served, "edge", c->service, drain);
  };
}

}  // namespace onair::app
