// The player's timeline, without pictures: a playhead that moves through the buffered media
// in real time once started, stalls when it reaches the end of what has arrived, resumes
// when enough is back, and nudges its rate (±10 % at most) to hold the target latency. Pure
// logic driven by the caller's clock, so start-up, stalls and catch-up are tested without
// sleeping.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/clock.h"

namespace onair::player {

// Media time ranges that have arrived for one track (microseconds of presentation time).
// Ranges closer than `join_us` are one: audio and video frame edges never quite meet.
class TrackBuffer {
 public:
  explicit TrackBuffer(int64_t join_us = 100'000) : join_us_(join_us) {}
  void Add(int64_t start_us, int64_t end_us);
  // The end of the range that holds `at`; `at` itself if none does.
  int64_t ContiguousEnd(int64_t at) const;
  // The start of the first range after `at`, or -1.
  int64_t NextStart(int64_t at) const;
  void ForgetBefore(int64_t at);
  bool empty() const { return ranges_.empty(); }

 private:
  int64_t join_us_;
  std::map<int64_t, int64_t> ranges_;  // start -> end, disjoint
};

// A hole at the playhead that will not fill (a segment gone, a stream that began after the
// start point) with media after it in every track: where to jump to (at most 3 D on, with
// 0.5 s there already), or -1 to wait.
int64_t HoleSkip(const std::vector<const TrackBuffer*>& tracks, int64_t position_us,
                 int64_t segment_us);

struct PlayoutConfig {
  int64_t target_latency_us = 3'000'000;
  int64_t start_buffer_us = 500'000;   // ahead of the playhead before the first frame
  int64_t resume_buffer_us = 500'000;  // ahead of the playhead to leave a stall
  double max_rate_change = 0.10;       // catch-up / slow-down, a share of normal speed
};

class Playout {
 public:
  enum class State { kWaiting, kPlaying, kStalled };
  // `zero`: the UTC of media time 0 (AST plus the period start).
  Playout(PlayoutConfig cfg, UtcMicros zero) : cfg_(cfg), zero_(zero) {}

  // Where playback will begin (media time).
  void SetStart(int64_t position_us) { position_ = position_us; }
  // Moves the playhead to `now`, given how far the media is buffered from it (the smallest
  // end over the tracks). Returns true when the state changed.
  bool Tick(UtcMicros now, int64_t buffered_end_us);
  // Jumps over a hole in the media (a segment that will never come).
  void SkipTo(int64_t position_us) { position_ = position_us; }

  State state() const { return state_; }
  int64_t position_us() const { return position_; }
  double rate() const { return rate_; }
  int64_t LatencyAt(UtcMicros now) const { return now - (zero_ + position_); }
  UtcMicros started_at() const { return started_at_; }  // 0: not yet
  int rebuffers() const { return rebuffers_; }
  int64_t rebuffer_us() const { return rebuffer_us_; }
  int64_t last_rebuffer_us() const { return last_rebuffer_us_; }
  // All stalled time after the start until `now`, a stall in progress included.
  int64_t StalledUs(UtcMicros now) const {
    return rebuffer_us_ + (state_ == State::kStalled ? std::max<int64_t>(0, now - stalled_at_) : 0);
  }
  int64_t played_us() const { return played_us_; }
  // Playhead movement of the last Tick: [from, to) of media time.
  int64_t last_from() const { return last_from_; }

 private:
  PlayoutConfig cfg_;
  UtcMicros zero_;
  State state_ = State::kWaiting;
  int64_t position_ = 0;
  double rate_ = 1.0;
  UtcMicros last_tick_ = 0;
  UtcMicros started_at_ = 0;
  UtcMicros stalled_at_ = 0;
  int rebuffers_ = 0;
  int64_t rebuffer_us_ = 0;
  int64_t last_rebuffer_us_ = 0;
  int64_t played_us_ = 0;
  int64_t last_from_ = 0;
};

}  // namespace onair::player
