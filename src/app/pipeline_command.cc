#include "app/pipeline_command.h"

#include <memory>

#include "app/signals.h"
#include "core/event_config.h"
#include "core/log.h"
#include "pipeline/dir_sink.h"
#include "pipeline/http_publisher.h"
#include "pipeline/pipeline.h"

namespace onair::app {

using Flags = PipelineFlags;

StatusOr<EventConfig> EventFromFlags(const PipelineFlags& f) {
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

int RunPipeline(const PipelineFlags& f) {
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

namespace {

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
  auto flags = std::make_shared<PipelineFlags>();
  CLI::App* cmd = app.add_subcommand(
      "pipeline", "Encode a feed into an epoch-locked ABR ladder of CMAF segments");
  AddFlags(cmd, *flags);
  return [flags, cmd]() -> int { return cmd->parsed() ? RunPipeline(*flags) : -1; };
}

}  // namespace onair::app
