#include "media/audio_aligner.h"

#include <algorithm>

#include "core/epoch.h"

extern "C" {
#include <libavutil/frame.h>
}

namespace onair::media {

void AudioAligner::Reset(int64_t sample) {
  next_ = sample;
  for (auto& p : planes_) p.clear();
}

void AudioAligner::Push(const Frame& samples, int64_t media_us) {
  const AVFrame* f = samples.av();
  if (!f || f->nb_samples <= 0 || f->ch_layout.nb_channels != channels_) return;
  const int64_t start = RescaleRounded(media_us, rate_, 1000000);
  const int64_t expected = next_ + buffered();
  const int64_t tolerance = rate_ / 200;  // 5 ms of jitter is absorbed as continuous
  int skip = 0;
  if (start > expected + tolerance) {
    const int64_t gap = std::min<int64_t>(start - expected, rate_ * 10);
    for (auto& p : planes_) p.insert(p.end(), static_cast<size_t>(gap), 0.0f);
  } else if (start < expected - tolerance) {
    const int64_t overlap = expected - start;
    if (overlap >= f->nb_samples) return;
    skip = static_cast<int>(overlap);
  }
  for (int c = 0; c < channels_; ++c) {
    const auto* src = reinterpret_cast<const float*>(f->extended_data[c]);
    planes_[c].insert(planes_[c].end(), src + skip, src + f->nb_samples);
  }
}

Frame AudioAligner::Pop(int count) {
  Frame out = Silence(count, rate_, channels_);
  AVFrame* f = out.av();
  const int have = static_cast<int>(std::min<int64_t>(count, buffered()));
  for (int c = 0; c < channels_; ++c) {
    std::copy(planes_[c].begin(), planes_[c].begin() + have,
              reinterpret_cast<float*>(f->extended_data[c]));
    planes_[c].erase(planes_[c].begin(), planes_[c].begin() + have);
  }
  next_ += count;
  return out;
}

}  // namespace onair::media
