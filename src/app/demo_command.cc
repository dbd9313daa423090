#include "app/demo_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/demo_viewers.h"
#include "app/pipeline_command.h"
#include "app/signals.h"
#include "core/epoch.h"
#include "core/log.h"
#include "edge/edge.h"
#include "metrics/service.h"
#include "net/http_client.h"
#include "net/tls.h"
#include "origin/origin.h"
#include "playback/service.h"

namespace onair::app {
namespace {

struct DemoFlags {
  std::string out = "demo-out";
  std::string source = "test:1280x720@30";
  std::string ladder;  // "": the default three rungs up to 720p
  int origin_port = 8080, edge_port = 8081, edge_b_port = 8084, tls_port = 8443;
  int playback_port = 8082;
  int metrics_port = 8083;
  int viewers = 3;  // the demo's own headless viewers
};

std::string Local(int port) { return "http://127.0.0.1:" + std::to_string(port); }

// Progress of the one long step, the first whole segment (up to two segment durations): a
// line every second until the edge serves a whole segment the pipelines made. A segment
// that will never be whole (a slow machine's first one, past its deadline: 410) does not
// hold it up: it asks for the next, and never for one long behind the clock.
bool AwaitFirstSegments(const std::string& edge_url, const EventConfig& ev) {
  net::HttpConnection edge(*net::ParseUrl(edge_url));
  const auto start = std::chrono::steady_clock::now();
  const EpochTimeline timeline(ev.ast, ev.segment_us);
  int64_t n = timeline.SegmentNumberAt(SystemClock::Instance().Now()) + 1;
  for (int tick = 0; !StopRequested(); ++tick) {
    n = std::max(n, timeline.SegmentNumberAt(SystemClock::Instance().Now()) - 1);
    const std::string target =
        "/live/demo/" + ev.ladder.back().name + "/" + std::to_string(n) + ".m4s";
    auto res = edge.Send("GET", target, {}, "", std::chrono::seconds(2));
    if (res.ok() && res->status == 200) {
      std::printf("  first segments ready after %.1f s\n",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      std::fflush(stdout);
      return true;
    }
    if (res.ok() && res->status == 410) ++n;
    if (tick % 4 == 0) {
      std::printf("  waiting for the first whole segment (%.0f s)...\n",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      std::fflush(stdout);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return false;
}

int RunDemo(const DemoFlags& d) {
  auto log = Logger("onair");
  const std::string abs = std::filesystem::absolute(d.out).string();
  const std::string origin_url = Local(d.origin_port);
  // Pipelines A and B: the same test stream and settings, each its own encoder and packager.
  PipelineFlags a;
  a.source = d.source;
  a.ladder = d.ladder;
  a.event = "demo";
  // AST at the start of the current minute: segment numbers stay small, and every DASH
  // client (ffmpeg's reads an AST at the Unix epoch as none) can play the live manifest.
  a.ast = FormatUtc(SystemClock::Instance().Now() / 60'000'000 * 60'000'000);
  a.publish = {origin_url};
  a.token = "demo-pipeline-token";
  a.out = abs + "/A";
  PipelineFlags b = a;
  b.pipeline_id = "B";
  b.out = abs + "/B";
  StatusOr<EventConfig> ev = EventFromFlags(a);
  if (!ev.ok()) {
    log->error("{}", ev.status().message());
    return 2;
  }

  std::printf("onair demo: starting the origin, two edges, the playback service\n");
  origin::OriginConfig oc;
  oc.service.listen.port = d.origin_port;
  oc.pipeline_token = a.token;
  origin::Origin origin(oc, &SystemClock::Instance());
  Status s = origin.Start();
  if (s.ok()) s = origin.store().PutEvent(*ev);
  auto tls = s.ok() ? net::MakeDemoCertificates(abs + "/tls", {"localhost", "127.0.0.1"})
                    : StatusOr<net::TlsFiles>(s);
  if (!tls.ok()) {
    log->error("{} (another demo running? see --origin-port)", tls.status().message());
    return 2;
  }
  edge::EdgeConfig ea;
  ea.service.listen.port = d.edge_port;
  ea.upstreams = {origin_url};
  ea.service.listen.tls_port = d.tls_port;
  ea.service.tls = *tls;
  edge::Edge edge_a(ea, &SystemClock::Instance());
  edge::EdgeConfig eb;
  eb.service.listen.port = d.edge_b_port;
  eb.upstreams = {origin_url};
  edge::Edge edge_b(eb, &SystemClock::Instance());
  for (edge::Edge* e : {&edge_a, &edge_b}) {
    if (Status es = e->Start(); !es.ok()) {
      log->error("{} (see --edge-port, --edge-b-port, --tls-port)", es.message());
      return 2;
    }
  }
  metrics::MetricsConfig mc;
  mc.service.listen.port = d.metrics_port;
  mc.service.admin_token = "demo-admin-token";
  // It watches the playback service (levers, fleet: the edges are scraped from it) and the
  // origin.
  mc.watch.playback_url = Local(d.playback_port);
  mc.watch.playback_token = "demo-admin-token";
  mc.watch.targets = {{"origin", origin_url}, {"playback", Local(d.playback_port)}};
  mc.data_dir = abs + "/metrics";  // for `onair metrics report demo` after it
  metrics::MetricsService metrics(mc, &SystemClock::Instance());
  if (Status ms = metrics.Start(); !ms.ok()) {
    log->error("{} (see --metrics-port)", ms.message());
    return 2;
  }

  playback::PlaybackConfig pc;
  pc.service.listen.port = d.playback_port;
  pc.origins = {origin_url};
  // Each edge says what it takes, so that the control center's forecast has a capacity.
  pc.edges = {{.name = "edge-a", .base_url = Local(d.edge_port), .max_connections = 1000},
              {.name = "edge-b", .base_url = Local(d.edge_b_port), .max_connections = 1000}};
  pc.public_url = Local(d.playback_port);
  pc.service.admin_token = "demo-admin-token";
  pc.metrics_url = Local(d.metrics_port);
  playback::PlaybackService playback(pc, &SystemClock::Instance());
  if (Status ps = playback.Start(); !ps.ok()) {
    log->error("{} (see --playback-port)", ps.message());
    return 2;
  }

  std::printf("onair demo: starting pipelines A and B (%s)\n", d.source.c_str());
  std::fflush(stdout);
  int rc_a = 0, rc_b = 0;
  std::thread pipeline_a([&] { rc_a = RunPipeline(a); });
  std::thread pipeline_b([&] { rc_b = RunPipeline(b); });
  std::unique_ptr<DemoViewers> viewers;
  if (AwaitFirstSegments(Local(d.edge_port), *ev)) {
    if (d.viewers > 0) {
      viewers = std::make_unique<DemoViewers>(Local(d.playback_port), ev->event, d.viewers);
    }
    const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    const std::string play = Local(d.playback_port);
    std::printf(
        "\nonair demo: test stream -> pipelines A, B -> origin %s -> edges %s, %s\n\n"
        "Watch in a browser:\n  %s/watch/demo\n\n"
        "Play headless (live status, then a summary):\n  %s play %s demo --duration 30\n\n"
        "Other players:\n"
        "  ffplay %s/live/demo/master.m3u8\n"
        "  HTTPS: %s/live/demo/manifest.mpd (trust %s/tls/ca.pem)\n\n"
        "The control center (%d viewers of the demo's own feed it):\n  %s/control\n"
        "Per-second figures of the event (QoE): %s/v1/metrics/demo\n"
        "The report after the show: %s metrics report demo --data %s/metrics\n"
        "A crowd of virtual devices (in the control center too):\n"
        "  %s loadgen devices --target %s --event demo --profile flash-crowd --peak 5000 "
        "--duration 120\n"
        "Operators: %s/metrics (origin), %s/metrics (playback),\n"
        "  curl -X PATCH -H 'Authorization: Bearer demo-admin-token' \\\n"
        "       -d '{\"quality\": {\"max_bitrate\": 1000000}}' %s/admin/levers\n"
        "Segments are also written to %s/A and %s/B. Ctrl-C stops it.\n\n",
        origin_url.c_str(), Local(d.edge_port).c_str(), Local(d.edge_b_port).c_str(), play.c_str(),
        self.c_str(), play.c_str(), Local(d.edge_port).c_str(),
        ("https://localhost:" + std::to_string(d.tls_port)).c_str(), abs.c_str(), d.viewers,
        Local(d.metrics_port).c_str(), Local(d.metrics_port).c_str(), self.c_str(), abs.c_str(),
        self.c_str(), play.c_str(), origin_url.c_str(), play.c_str(), play.c_str(), abs.c_str(),
        abs.c_str());
    std::fflush(stdout);
  }
  pipeline_a.join();
  pipeline_b.join();
  std::printf("onair demo: stopping\n");
  if (viewers) viewers->Stop();
  playback.Stop();
  metrics.Stop();
  edge_b.Stop();
  edge_a.Stop();
  origin.Stop();
  return rc_a != 0 ? rc_a : rc_b;
}

}  // namespace

std::function<int()> AddDemoCommand(CLI::App& app) {
  auto d = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the whole system on this machine with the built-in test stream");
  cmd->add_option("--out", d->out, "directory for the demo's segments and certificates")
      ->capture_default_str();
  cmd->add_option("--source", d->source, "the feed of both pipelines (see onair pipeline)")
      ->capture_default_str();
  cmd->add_option("--ladder", d->ladder, "event config file (ladder; see docs/pipeline.md)");
  cmd->add_option("--origin-port", d->origin_port, "the origin's port")->capture_default_str();
  cmd->add_option("--edge-port", d->edge_port, "edge a's HTTP port")->capture_default_str();
  cmd->add_option("--edge-b-port", d->edge_b_port, "edge b's HTTP port")->capture_default_str();
  cmd->add_option("--tls-port", d->tls_port, "edge a's HTTPS port")->capture_default_str();
  cmd->add_option("--playback-port", d->playback_port, "the playback service and web player")
      ->capture_default_str();
  cmd->add_option("--metrics-port", d->metrics_port, "the metrics service")->capture_default_str();
  cmd->add_option("--viewers", d->viewers,
                  "headless viewers the demo runs itself, for the control center")
      ->check(CLI::Range(0, 50))
      ->capture_default_str();
  return [d, cmd]() -> int { return cmd->parsed() ? RunDemo(*d) : -1; };
}

}  // namespace onair::app
