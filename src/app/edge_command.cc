#include "app/edge_command.h"

#include <chrono>
#include <memory>

#include "app/serve.h"
#include "core/log.h"
#include "edge/announce.h"
#include "edge/edge.h"
#include "net/tls.h"

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
  cmd->add_option_function<int64_t>(
         "--clock-skew-ms", [c](int64_t ms) { c->clock_skew = std::chrono::milliseconds(ms); },
         "how far this clock may be ahead of the origin's: segments later than the next one "
         "are refused here only beyond it")
      ->check(CLI::Range(int64_t{0}, int64_t{60'000}))
      ->default_str("500");
  cmd->add_option("--admin-token", c->admin_token,
                  "token for the admin API (POST/DELETE /v1/edge/drain); none: the API is off");
  auto grace = std::make_shared<double>(0);
  cmd->add_option("--drain-seconds", *grace,
                  "on SIGTERM or Ctrl-C, drain this long (still serving, /readyz 503, status "
                  "draining) before stopping; a second signal stops at once")
      ->check(CLI::Range(0.0, 3600.0))
      ->capture_default_str();
  cmd->add_flag("--prefetch,!--no-prefetch", c->prefetch,
                "start the next segment's fill before its first chunk, for each rendition "
                "watched at the live edge (default on)");
  auto demo_dir = std::make_shared<std::string>();
  cmd->add_option("--tls-port", c->tls_port, "HTTPS port (0: any free port, printed; -1: none)")
      ->check(CLI::Range(-1, 65535))
      ->capture_default_str();
  cmd->add_option("--tls-cert", c->tls.certificate_chain, "PEM certificate chain for HTTPS");
  cmd->add_option("--tls-key", c->tls.private_key, "PEM private key for HTTPS");
  cmd->add_option("--tls-demo-dir", *demo_dir,
                  "make a private CA and a certificate for localhost/127.0.0.1 (and --host) "
                  "here, for HTTPS without a real certificate; clients trust DIR/ca.pem");
  auto announce = std::make_shared<edge::AnnounceOptions>();
  cmd->add_option("--announce", announce->service,
                  "playback service to register with (PUT /v1/admin/edges/NAME every 5 s)");
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
  return [c, cmd, demo_dir, grace, announce]() -> int {
    if (!cmd->parsed()) return -1;
    if (!demo_dir->empty()) {
      std::vector<std::string> names = {"localhost", "127.0.0.1"};
      if (c->server.host != "0.0.0.0" && c->server.host != "127.0.0.1") {
        names.push_back(c->server.host);
      }
      auto files = net::MakeDemoCertificates(*demo_dir, names);
      if (!files.ok()) {
        Logger("onair")->error("{}", files.status().message());
        return 2;
      }
      c->tls = *files;
      if (c->tls_port < 0) c->tls_port = 8443;
    }
    if (c->tls_port >= 0 && (c->tls.certificate_chain.empty() || c->tls.private_key.empty())) {
      Logger("onair")->error("HTTPS needs --tls-cert and --tls-key, or --tls-demo-dir");
      return 2;
    }
    edge::Edge e(*c, &SystemClock::Instance());
    std::unique_ptr<edge::Announcer> announcer;
    const Drain drain{[&] { e.Drain(); },
                      std::chrono::milliseconds(static_cast<int64_t>(*grace * 1000))};
    return ServeUntilStopped(
        e, "edge", c->server.host,
        [&]() -> std::string {
          std::string lines;
          if (e.tls_port() != 0) {
            lines += "onair edge listening on https://" + c->server.host + ":" +
                     std::to_string(e.tls_port()) +
                     (c->tls.ca.empty() ? "" : " (clients trust " + c->tls.ca + ")") + "\n";
          }
          if (!announce->service.empty()) {
            // Once it listens, it announces itself to the playback service.
            edge::AnnounceOptions o = *announce;
            const std::string host = c->server.host == "0.0.0.0" ? "127.0.0.1" : c->server.host;
            if (o.name.empty()) o.name = "edge-" + std::to_string(e.port());
            if (o.base_url.empty()) o.base_url = "http://" + host + ":" + std::to_string(e.port());
            announcer = std::make_unique<edge::Announcer>(o);
            Status s = announcer->Start();
            lines += s.ok() ? "announcing to " + o.service + " as " + o.name + "\n"
                            : "not announcing: " + std::string(s.message()) + "\n";
          }
          return lines;
        },
        drain);
  };
}

}  // namespace onair::app
