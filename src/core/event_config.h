// Typed, validated configuration of one live event (a show): timing and the ABR ladder.
// Parsed once at the edge of the program; libraries receive these structs.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/epoch.h"
#include "core/status.h"

namespace onair {

enum class VideoCodec { kH264, kH265 };
enum class RateControl { kCbr, kCappedVbr };

const char* VideoCodecName(VideoCodec c);

struct RenditionConfig {
  std::string name;  // URL path component: [a-z0-9_-]+
  VideoCodec codec = VideoCodec::kH264;
  int width = 0;
  int height = 0;
  int64_t bitrate = 0;  // bits/s: the CBR rate, or the cap of capped VBR
  RateControl rate_control = RateControl::kCbr;
  int crf = 23;  // quality target for capped VBR
  std::string preset = "veryfast";
  std::string tune;  // optional x264/x265 tune
  // Scale from the rung above instead of from the source when that is cheaper.
  bool scale_from_above = false;
};

struct AudioConfig {
  std::string name = "audio";
  int64_t bitrate = 128000;
  int sample_rate = 48000;
  int channels = 2;
};

struct EventConfig {
  std::string event = "live";
  UtcMicros ast = 0;  // availability start time; the Unix epoch unless given
  int64_t segment_us = 2000000;
  int64_t chunk_us = 500000;
  Rational frame_rate{30, 1};
  std::vector<RenditionConfig> ladder;
  AudioConfig audio;
  // Origin side: how much of the event the origin keeps in memory (older segments are
  // served from disk), and whose candidate it serves first.
  int64_t window_us = 120'000'000;
  std::string preferred_pipeline = "A";

  EpochTimeline timeline() const { return EpochTimeline(ast, segment_us); }
};

// Parses the JSON of an event config file (format in docs/pipeline.md).
StatusOr<EventConfig> ParseEventConfig(const std::string& json_text);
StatusOr<EventConfig> LoadEventConfig(const std::string& path);
// The JSON that ParseEventConfig reads back into the same config.
std::string EventConfigToJson(const EventConfig& config);
// A small ladder that runs in real time on two cores (used when no --ladder is given).
EventConfig DefaultEventConfig();
// Checks the invariants every consumer relies on; ParseEventConfig calls it.
Status ValidateEventConfig(const EventConfig& config);
// Names that may appear in URLs and paths: 1-64 of [a-zA-Z0-9_-], not starting with '-'.
bool IsSafeName(const std::string& name);

}  // namespace onair
