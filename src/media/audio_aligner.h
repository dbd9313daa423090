// Puts audio from a feed onto the event's audio grid: samples are numbered from AST, gaps
// are filled with silence and overlaps dropped, so that frame k always holds samples
// [k*N, (k+1)*N) whatever the feed's timestamps did.
#pragma once

#include <cstdint>
#include <vector>

#include "media/frame.h"

namespace onair::media {

class AudioAligner {
 public:
  AudioAligner(int sample_rate, int channels)
      : rate_(sample_rate), channels_(channels), planes_(channels) {}

  // The next sample to hand out is `sample` (drops what is buffered).
  void Reset(int64_t sample);
  // Float planar samples whose first sample is at media time media_us.
  void Push(const Frame& samples, int64_t media_us);
  int64_t next_sample() const { return next_; }
  int64_t buffered() const { return planes_.empty() ? 0 : static_cast<int64_t>(planes_[0].size()); }
  // `count` samples from the buffer, padded with silence if it holds fewer.
  Frame Pop(int count);

 private:
  int rate_, channels_;
  int64_t next_ = 0;
  std::vector<std::vector<float>> planes_;
};

}  // namespace onair::media
