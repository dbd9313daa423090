#include "player/playout.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace onair::player {

void TrackBuffer::Add(int64_t start, int64_t end) {
  if (end <= start) return;
  // Merge with every range that touches [start - join, end + join].
  auto it = ranges_.lower_bound(start - join_us_);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second + join_us_ >= start) it = prev;
  }
  while (it != ranges_.end() && it->first <= end + join_us_) {
    start = std::min(start, it->first);
    end = std::max(end, it->second);
    it = ranges_.erase(it);
  }
  ranges_[start] = end;
}

int64_t TrackBuffer::ContiguousEnd(int64_t at) const {
  auto it = ranges_.upper_bound(at + join_us_);
  if (it == ranges_.begin()) return at;
  --it;
  return it->second >= at ? std::max(at, it->second) : at;
}

int64_t TrackBuffer::NextStart(int64_t at) const {
  auto it = ranges_.upper_bound(at);
  return it == ranges_.end() ? -1 : it->first;
}

void TrackBuffer::ForgetBefore(int64_t at) {
  while (!ranges_.empty() && ranges_.begin()->second < at) ranges_.erase(ranges_.begin());
}

int64_t HoleSkip(const std::vector<const TrackBuffer*>& tracks, int64_t pos, int64_t segment_us) {
  int64_t next = -1;
  for (const TrackBuffer* t : tracks) {
    if (t->ContiguousEnd(pos) > pos) continue;
    const int64_t start = t->NextStart(pos);
    if (start < 0) return -1;  // nothing after it yet
    next = std::max(next, start);
  }
  if (next <= pos || next - pos > 3 * segment_us) return -1;
  for (const TrackBuffer* t : tracks) {
    if (t->ContiguousEnd(next) - next < 500'000) return -1;  // not enough there yet
  }
  return next;
}

bool Playout::Tick(UtcMicros now, int64_t buffered_end) {
  const UtcMicros previous = last_tick_ == 0 ? now : last_tick_;
  const int64_t elapsed = std::max<int64_t>(0, now - previous);
  last_tick_ = now;
  last_from_ = position_;
  const int64_t ahead = buffered_end - position_;
  switch (state_) {
    case State::kWaiting:
      if (ahead >= cfg_.start_buffer_us) {
        state_ = State::kPlaying;
        started_at_ = now;
        return true;
      }
      return false;
    case State::kStalled:
      if (ahead >= cfg_.resume_buffer_us) {
        state_ = State::kPlaying;
        last_rebuffer_us_ = now - stalled_at_;
        rebuffer_us_ += last_rebuffer_us_;
        return true;
      }
      return false;
    case State::kPlaying: {
      // Hold the target latency: faster when behind it (with buffer to spend), slower when
      // ahead of it (the buffer is thinner than planned), proportionally, within the bound.
      // (the latency over the step just gone: at its start)
      const double off =
          static_cast<double>(LatencyAt(previous) - cfg_.target_latency_us) / 1e6;  // seconds
      double want = 1.0;
      if (std::abs(off) > 0.2)
        want = 1.0 + std::clamp(off / 5.0, -cfg_.max_rate_change, cfg_.max_rate_change);
      if (want > 1.0 && ahead < cfg_.resume_buffer_us) want = 1.0;
      rate_ = want;
      const auto step = static_cast<int64_t>(std::llround(static_cast<double>(elapsed) * rate_));
      if (position_ + step >= buffered_end) {
        played_us_ += std::max<int64_t>(0, buffered_end - position_);
        position_ = std::max(position_, buffered_end);
        state_ = State::kStalled;
        stalled_at_ = now;
        ++rebuffers_;
        rate_ = 1.0;
        return true;
      }
      position_ += step;
      played_us_ += step;
      return false;
    }
  }
  return false;
}

}  // namespace onair::player
