// The live encoding pipeline (DESIGN.md "The path of a frame"):
// source -> timeline (epoch grid, slate on feed loss) -> per rung: scale -> encode ->
// package -> sinks, with audio as its own track and content inspection alongside.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/event_config.h"
#include "core/status.h"
#include "media/test_pattern.h"
#include "pipeline/sink.h"

namespace onair::pipeline {

struct PipelineConfig {
  EventConfig event;
  // "test", "test:1920x1080@29.97", or a feed URL / file path (media::FeedOptions).
  std::string source = "test";
  std::string pipeline_id = "A";
  // Stop after this much media (rounded up to whole segments); 0 runs until stopped.
  int64_t duration_us = 0;
  // A grid slot with no frame this long after its time is filled by the slate.
  int64_t input_timeout_us = 500'000;
  // After this long without input the slate turns from the last frame to black.
  int64_t freeze_slate_us = 5'000'000;
  int encoder_threads = 0;  // 0: FFmpeg chooses
  bool loop_files = true;
};

struct PipelineStats {
  std::atomic<int64_t> first_segment{0};
  std::atomic<int64_t> segments{0};            // finished segments, all tracks
  std::atomic<int64_t> defective_segments{0};  // of those, with at least one defect
  std::atomic<int64_t> slate_frames{0};
  std::atomic<int64_t> feed_connects{0};
  std::atomic<int64_t> dropped_input{0};
  // Grid slots that showed the previous picture again because the feed's frame was late,
  // and feed frames replaced by a newer one before any slot showed them (rate mismatch or
  // a feed behind real time). Neither counts slate time.
  std::atomic<int64_t> repeated_frames{0};
  std::atomic<int64_t> skipped_frames{0};
};

// "test" or "test:WxH@rate" -> the test pattern's format; other specs are feeds.
bool IsTestSource(const std::string& spec);
StatusOr<media::TestPatternFormat> ParseTestSource(const std::string& spec, Rational default_fps);

class Pipeline {
 public:
  Pipeline(PipelineConfig config, std::vector<SegmentSink*> sinks, Clock* clock);
  ~Pipeline();

  // Checks what can be checked before running (encoders open, source spec parses).
  Status Validate() const;
  // Runs until `stop` is set or the duration is reached; finishes the open segments.
  Status Run(const std::atomic<bool>& stop);
  const PipelineStats& stats() const { return stats_; }

 private:
  struct Impl;
  PipelineConfig config_;
  std::vector<SegmentSink*> sinks_;
  Clock* clock_;
  PipelineStats stats_;
};

}  // namespace onair::pipeline
