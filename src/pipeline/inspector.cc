#include "pipeline/inspector.h"

#include <algorithm>
#include <chrono>

#include "core/log.h"

namespace onair::pipeline {

void Inspector::AddPicture(const media::Frame& picture, int64_t media_us, int64_t frame_us) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = analyzer_.AddPicture(picture, media_us);
  if (!s.ok()) Logger("inspect")->warn("video analysis failed: {}", s.ToString());
  video_done_us_ = media_us + frame_us;
  analyzer_.Prune(media_us - 60'000'000);
  progressed_.notify_all();
}

void Inspector::AddAudio(const media::Frame& samples, int64_t media_us, int64_t block_us) {
  std::lock_guard<std::mutex> lock(mu_);
  Status s = analyzer_.AddAudio(samples, media_us);
  if (!s.ok()) Logger("inspect")->warn("audio analysis failed: {}", s.ToString());
  audio_done_us_ = media_us + block_us;
  progressed_.notify_all();
}

void Inspector::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  progressed_.notify_all();
}

std::vector<std::string> Inspector::ContentDefects(bool video, int64_t start_us, int64_t end_us,
                                                   int max_wait_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  progressed_.wait_for(lock, std::chrono::milliseconds(max_wait_ms), [&] {
    return closed_ || (video ? video_done_us_ : audio_done_us_) >= end_us;
  });
  std::vector<std::string> out;
  for (const media::ContentInterval& i : analyzer_.Overlapping(start_us, end_us)) {
    const bool relevant = video ? (i.kind == "black" || i.kind == "frozen") : i.kind == "silent";
    if (relevant && std::find(out.begin(), out.end(), i.kind) == out.end()) out.push_back(i.kind);
  }
  return out;
}

}  // namespace onair::pipeline
