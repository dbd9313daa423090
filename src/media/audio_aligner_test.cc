#include "media/audio_aligner.h"

#include <gtest/gtest.h>

extern "C" {
#include <libavutil/frame.h>
}

namespace onair::media {
namespace {

constexpr int kRate = 48000;

Frame Ones(int n) {
  Frame f = Silence(n, kRate, 2);
  for (int c = 0; c < 2; ++c) {
    auto* s = reinterpret_cast<float*>(f.av()->extended_data[c]);
    for (int k = 0; k < n; ++k) s[k] = 1.0f;
  }
  return f;
}

float At(const Frame& f, int k) {
  return reinterpret_cast<const float*>(f.av()->extended_data[0])[k];
}

// Media times are counted from AST, which defaults to the Unix epoch: 56 years of
// microseconds times 48 kHz does not fit in 64 bits.
TEST(AudioAligner, ContinuousAudioFarFromAstHasNoGaps) {
  const int64_t sample = 1024LL * 83'000'000'000LL / 1000;  // about 56 years of samples
  const int64_t media_us = sample * 1'000'000 / kRate;
  AudioAligner a(kRate, 2);
  a.Reset(sample);
  a.Push(Ones(1024), media_us);
  a.Push(Ones(1024), (sample + 1024) * 1'000'000 / kRate);
  EXPECT_EQ(a.buffered(), 2048);
  Frame out = a.Pop(1024);
  EXPECT_EQ(At(out, 0), 1.0f);
  EXPECT_EQ(a.next_sample(), sample + 1024);
}

TEST(AudioAligner, GapsBecomeSilenceAndOverlapsAreDropped) {
  AudioAligner a(kRate, 2);
  a.Reset(0);
  a.Push(Ones(480), 10'000);  // starts 10 ms (480 samples) late
  EXPECT_EQ(a.buffered(), 960);
  Frame out = a.Pop(960);
  EXPECT_EQ(At(out, 0), 0.0f);
  EXPECT_EQ(At(out, 479), 0.0f);
  EXPECT_EQ(At(out, 480), 1.0f);
  a.Push(Ones(960), 10'000);  // 480 samples already handed out
  EXPECT_EQ(a.buffered(), 480);
  a.Push(Ones(100), 0);  // entirely in the past
  EXPECT_EQ(a.buffered(), 480);
}

}  // namespace
}  // namespace onair::media
