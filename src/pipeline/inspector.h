// Inspection of the program before its segments are published: content defects (black,
// frozen, silent) from FFmpeg's detectors, shared by every rendition of the pipeline.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "media/content_analyzer.h"

namespace onair::pipeline {

class Inspector {
 public:
  explicit Inspector(media::ContentAnalyzerParams params) : analyzer_(params) {}

  // Called by the analysis thread, in media order.
  void AddPicture(const media::Frame& picture, int64_t media_us, int64_t frame_us);
  void AddAudio(const media::Frame& samples, int64_t media_us, int64_t block_us);
  // No more media: unblocks waiters.
  void Close();

  // Content defects of [start_us, end_us) of the video or audio track. Waits (up to
  // max_wait_ms) for the analysis to reach end_us, so a segment is judged whole.
  std::vector<std::string> ContentDefects(bool video, int64_t start_us, int64_t end_us,
                                          int max_wait_ms = 500);

 private:
  std::mutex mu_;
  std::condition_variable progressed_;
  media::ContentAnalyzer analyzer_;
  int64_t video_done_us_ = INT64_MIN, audio_done_us_ = INT64_MIN;
  bool closed_ = false;
};

}  // namespace onair::pipeline
