#include "app/pipeline_command.h"

#include <csignal>
#include <filesystem>
#include <memory>

#include "app/signals.h"
#include "core/event_config.h"
#include "core/log.h"
#include "edge/edge.h"
#include "net/tls.h"
#include "origin/origin.h"
#include "pipeline/dir_sink.h"
#include "pipeline/http_publisher.h"
#include "pipeline/pipeline.h"

namespace onair::app {

namespace {

struct Flags {
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
StatusOr<EventConfig> EventFromFlags(const Flags& f) {
  StatusOr<EventConfig> loaded =
      f.ladder.empty() ? StatusOr<EventConfig>(DefaultEventConfig()) : LoadEventConfig(f.ladder);
  if (!loaded.ok()) return loaded.status();
  EventConfig ev = *loaded;
  if (!f.event.empty()) ev.event = f.event;
  if (!f.ast.empty()) {
    auto ast = ParseUtc(f.ast);
    if (!ast.ok()) return InvalidArgument("--ast: " + ast.status().message());
    ev.ast = *ast;
  }
  if (f.segment_duration > 0) ev.segment_us = static_cast<int64_t>(f.segment_duration * 1e6 + 0.5);
  if (f.chunk_duration > 0) ev.chunk_us = static_cast<int64_t>(f.chunk_duration * 1e6 + 0.5);
  if (!f.frame_rate.empty()) {
    auto fps = ParseFrameRate(f.frame_rate);
    if (!fps.ok()) return InvalidArgument("--frame-rate: " + fps.status().message());
    ev.frame_rate = *fps;
  } else if (pipeline::IsTestSource(f.source) && f.source.find('@') != std::string::npos) {
    // The test source's rate becomes the event's unless --frame-rate says otherwise.
    auto fmt = pipeline::ParseTestSource(f.source, ev.frame_rate);
    if (fmt.ok()) ev.frame_rate = fmt->fps;
  }
  ONAIR_RETURN_IF_ERROR(ValidateEventConfig(ev));
  return ev;
}

int RunPipeline(const Flags& f) {
  auto log = Logger("onair");
  StatusOr<EventConfig> resolved = EventFromFlags(f);
  if (!resolved.ok()) {
    log->error("{}", resolved.status().message());
    return 2;
  }
  const EventConfig& ev = *resolved;
  if (f.out.empty() && f.publish.empty()) {
    log->error("nowhere to send segments: give --out DIR and/or --publish URL");
    return 2;
  }

  pipeline::PipelineConfig pc;
  pc.event = ev;
  pc.source = f.source;
  pc.pipeline_id = f.pipeline_id;
  pc.duration_us = static_cast<int64_t>(f.duration * 1e6 + 0.5);
  pc.input_timeout_us = static_cast<int64_t>(f.input_timeout * 1e6 + 0.5);
  pc.encoder_threads = f.threads;

  std::vector<pipeline::SegmentSink*> sinks;
  std::unique_ptr<pipeline::DirSink> dir;
  if (!f.out.empty()) {
    dir = std::make_unique<pipeline::DirSink>(f.out, ev, &SystemClock::Instance());
    if (Status s = dir->Prepare(); !s.ok()) {
      log->error("{}", s.message());
      return 2;
    }
    sinks.push_back(dir.get());
  }
  std::vector<std::unique_ptr<pipeline::HttpPublisher>> publishers;
  for (const std::string& url : f.publish) {
    pipeline::PublisherConfig config{url, f.token, f.pipeline_id};
    publishers.push_back(
        std::make_unique<pipeline::HttpPublisher>(config, ev, &SystemClock::Instance()));
    if (Status s = publishers.back()->Prepare(); !s.ok()) {
      log->error("--publish: {}", s.message());
      return 2;
    }
    sinks.push_back(publishers.back().get());
  }
  pipeline::Pipeline p(pc, sinks, &SystemClock::Instance());
  if (Status s = p.Validate(); !s.ok()) {
    log->error("{}", s.message());
    return 2;
  }
  Status s = p.Run(StopRequested());
  if (!s.ok()) {
    log->error("{}", s.ToString());
    return 1;
  }
  return 0;
}

void AddFlags(CLI::App* cmd, Flags& f) {
  cmd->add_option("--source", f.source,
                  "test | test:WIDTHxHEIGHT@RATE | srt://host:port[?mode=listener] | "
                  "rtmp://0.0.0.0:1935/app/key (listens) | udp://127.0.0.1:5000 | FILE (looped, "
                  "real time)")
      ->capture_default_str();
  cmd->add_option("--event", f.event,
                  "event name (URL path component); default from --ladder or 'live'");
  cmd->add_option("--ast", f.ast,
                  "availability start time, ISO 8601 UTC (2026-11-23T10:00:00Z); default from "
                  "--ladder or the Unix epoch");
  cmd->add_option("--segment-duration", f.segment_duration,
                  "segment duration D in seconds (default 2)");
  cmd->add_option("--chunk-duration", f.chunk_duration,
                  "low-latency chunk duration in seconds (default 0.5)");
  cmd->add_option("--frame-rate", f.frame_rate,
                  "output frame rate: 25, 29.97, 30, 50, 59.94, 30000/1001...");
  cmd->add_option("--ladder", f.ladder,
                  "event config file (JSON: timing and ladder; see docs/pipeline.md)");
  cmd->add_option("--pipeline", f.pipeline_id, "pipeline identity")
      ->check(CLI::IsMember({"A", "B"}))
      ->capture_default_str();
  cmd->add_option("--out", f.out, "write segments and manifests to this directory");
  cmd->add_option("--publish", f.publish, "origin base URL to PUT segments to (repeatable)");
  cmd->add_option("--token", f.token, "pipeline token for the origins");
  cmd->add_option("--duration", f.duration,
                  "stop after this many seconds of media (whole segments)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--input-timeout", f.input_timeout,
                  "seconds without input before the slate fills in")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--threads", f.threads, "encoder threads per rendition (0: automatic)")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace

std::function<int()> AddPipelineCommand(CLI::App& app) {
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "pipeline", "Encode a feed into an epoch-locked ABR ladder of CMAF segments");
  AddFlags(cmd, *flags);
  return [flags, cmd]() -> int { return cmd->parsed() ? RunPipeline(*flags) : -1; };
}

// The whole system on this machine: the built-in test stream through pipeline A, published
// to an origin (and written to --out), served to viewers by an edge over HTTP and HTTPS.
std::function<int()> AddDemoCommand(CLI::App& app) {
  struct DemoFlags {
    std::string out = "demo-out";
    int origin_port = 8080, edge_port = 8081, tls_port = 8443;
  };
  auto d = std::make_shared<DemoFlags>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Run the whole system on this machine with the built-in test stream");
  cmd->add_option("--out", d->out, "directory for the demo's segments and certificates")
      ->capture_default_str();
  cmd->add_option("--origin-port", d->origin_port, "the origin's port")->capture_default_str();
  cmd->add_option("--edge-port", d->edge_port, "the edge's HTTP port")->capture_default_str();
  cmd->add_option("--tls-port", d->tls_port, "the edge's HTTPS port")->capture_default_str();
  return [d, cmd]() -> int {
    if (!cmd->parsed()) return -1;
    auto log = Logger("onair");
    Flags f;
    f.source = "test:1280x720@30";
    f.out = d->out;
    f.event = "demo";
    const std::string origin_url = "http://127.0.0.1:" + std::to_string(d->origin_port);
    f.publish = {origin_url};
    f.token = "demo-pipeline-token";
    StatusOr<EventConfig> ev = EventFromFlags(f);
    if (!ev.ok()) {
      log->error("{}", ev.status().message());
      return 2;
    }
    origin::OriginConfig oc;
    oc.server.port = d->origin_port;
    oc.pipeline_token = f.token;
    origin::Origin origin(oc, &SystemClock::Instance());
    Status s = origin.Start();
    if (s.ok()) s = origin.store().PutEvent(*ev);
    const std::string abs = std::filesystem::absolute(d->out).string();
    auto tls = s.ok() ? net::MakeDemoCertificates(abs + "/tls", {"localhost", "127.0.0.1"})
                      : StatusOr<net::TlsFiles>(s);
    if (!tls.ok()) {
      log->error("{} (another demo running? see --origin-port)", tls.status().message());
      return 2;
    }
    edge::EdgeConfig ec;
    ec.server.port = d->edge_port;
    ec.upstreams = {origin_url};
    ec.tls_port = d->tls_port;
    ec.tls = *tls;
    edge::Edge edge(ec, &SystemClock::Instance());
    if (Status es = edge.Start(); !es.ok()) {
      log->error("{} (see --edge-port, --tls-port)", es.message());
      return 2;
    }
    const std::string e = "http://127.0.0.1:" + std::to_string(d->edge_port);
    const std::string es = "https://localhost:" + std::to_string(d->tls_port);
    std::printf(
        "\nonair demo: test stream -> pipeline A -> origin %s -> edge %s\n\n"
        "Players (the manifests appear after the first segment, ~4 s):\n"
        "  HLS:    %s/live/demo/master.m3u8\n"
        "  DASH:   %s/live/demo/manifest.mpd\n"
        "  HTTPS:  %s/live/demo/master.m3u8   (trust %s/tls/ca.pem)\n\n"
        "  ffplay %s/live/demo/master.m3u8\n"
        "  curl --cacert %s/tls/ca.pem %s/v1/edge/status\n\n"
        "Operators: %s/metrics (origin), %s/metrics and %s/v1/edge/status (edge)\n"
        "Segments are also written to %s. Ctrl-C stops it.\n\n",
        origin_url.c_str(), e.c_str(), e.c_str(), e.c_str(), es.c_str(), abs.c_str(), e.c_str(),
        abs.c_str(), es.c_str(), origin_url.c_str(), e.c_str(), e.c_str(), abs.c_str());
    std::fflush(stdout);
    const int rc = RunPipeline(f);
    edge.Stop();
    origin.Stop();
    return rc;
  };
}

}  // namespace onair::app
