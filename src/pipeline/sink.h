// Where packaged media goes: a local directory, origins over HTTP. A sink is called from
// several track threads at once and must be thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/clock.h"
#include "media/manifest.h"

namespace onair::pipeline {

// What the pipeline knows about a finished segment; the defects travel with it.
struct SegmentMeta {
  std::string rendition;
  int64_t number = 0;
  int64_t tfdt = 0;      // in the track timescale
  int64_t duration = 0;  // in the track timescale
  int64_t timescale = 0;
  int frames = 0;  // samples (video frames or audio frames)
  int64_t bytes = 0;
  UtcMicros capture_utc = 0;         // of the first sample
  int64_t delay_us = 0;              // how long after the segment's last instant it was whole
  std::vector<std::string> defects;  // empty when the segment is good
};

class SegmentSink {
 public:
  virtual ~SegmentSink() = default;
  // The init segment of a track, before any of its media.
  virtual void OnInit(const media::TrackInfo& track, const std::string& init) = 0;
  // A low-latency chunk (prft+moof+mdat) of segment `number`, the moment it is produced.
  virtual void OnChunk(const std::string& rendition, int64_t number, const std::string& chunk) = 0;
  // Segment `number` is complete: every chunk has been handed on.
  virtual void OnSegmentEnd(const SegmentMeta& meta) = 0;
  // The pipeline stops; nothing follows.
  virtual void OnFinish() = 0;
};

std::string JoinDefects(const std::vector<std::string>& defects);

}  // namespace onair::pipeline
