// The built-in test stream: a moving pattern with the capture UTC clock and the frame
// number burnt in, a white flash on the first frame of every second, and a tone with a
// beep on every whole second, so A/V sync and latency can be measured on any output.
// Everything is a pure function of the grid index, so two pipelines draw identical media.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/epoch.h"
#include "media/frame.h"

namespace onair::media {

struct TestPatternFormat {
  int width = 1280;
  int height = 720;
  Rational fps{30, 1};
  int sample_rate = 48000;
  int channels = 2;
};

class TestPattern {
 public:
  explicit TestPattern(TestPatternFormat format);

  const TestPatternFormat& format() const { return format_; }
  // Frame `index` of the grid (media time index / fps), stamped with its capture UTC.
  Frame Picture(int64_t index, UtcMicros capture_utc) const;
  // `count` samples starting at sample `first` (media time first / sample_rate).
  Frame Tone(int64_t first, int count) const;
  // The flash frame is the first frame at or after each whole second of media time.
  bool IsFlash(int64_t index) const;

  static constexpr int kBeepMillis = 100;
  static constexpr double kToneAmplitude = 0.1;
  static constexpr double kBeepAmplitude = 0.5;

 private:
  TestPatternFormat format_;
  Frame background_;
};

}  // namespace onair::media
