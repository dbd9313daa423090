// Content inspection with FFmpeg's own detectors: blackdetect, freezedetect (video) and
// silencedetect (audio). Produces intervals of media time in which the program was black,
// frozen or silent; the packager flags every segment that overlaps one.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "media/frame.h"

struct AVFilterGraph;
struct AVFilterContext;

namespace onair::media {

struct ContentInterval {
  std::string kind;  // "black", "frozen" or "silent"
  int64_t start_us = 0;
  int64_t end_us = std::numeric_limits<int64_t>::max();  // still going on
};

struct ContentAnalyzerParams {
  double black_min_seconds = 0.0;    // flag black from its first frame
  double freeze_min_seconds = 0.5;   // a picture unchanged this long is frozen
  double silence_min_seconds = 0.5;  // audio under silence_db this long is silent
  double silence_db = -50.0;
  int sample_rate = 48000;
  int channels = 2;
};

class ContentAnalyzer {
 public:
  explicit ContentAnalyzer(ContentAnalyzerParams params);
  ~ContentAnalyzer();
  ContentAnalyzer(const ContentAnalyzer&) = delete;
  ContentAnalyzer& operator=(const ContentAnalyzer&) = delete;

  // `media_us`: the frame's media time. Pictures of any size and format.
  Status AddPicture(const Frame& picture, int64_t media_us);
  // Float planar audio at the configured rate and channel count.
  Status AddAudio(const Frame& samples, int64_t media_us);

  // Intervals that overlap [start_us, end_us).
  std::vector<ContentInterval> Overlapping(int64_t start_us, int64_t end_us) const;
  // Forgets intervals that ended before `media_us`.
  void Prune(int64_t media_us);

 private:
  struct Graph {
    AVFilterGraph* graph = nullptr;
    AVFilterContext* src = nullptr;
    AVFilterContext* sink = nullptr;
  };
  Status BuildVideoGraph(const Frame& first);
  Status BuildAudioGraph();
  Status Pump(Graph& g);
  void OnMetadata(const std::string& key, const std::string& value);
  void Open(const std::string& kind, int64_t start_us);
  void Close(const std::string& kind, int64_t end_us);
  static void Free(Graph& g);

  ContentAnalyzerParams params_;
  Graph video_, audio_;
  int video_w_ = 0, video_h_ = 0, video_fmt_ = -1;
  bool have_origin_ = false;
  int64_t origin_us_ = 0;  // filters see times relative to this, for precise seconds
  std::vector<ContentInterval> intervals_;
};

}  // namespace onair::media
