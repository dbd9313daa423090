#include "player/abr.h"

#include <algorithm>
#include <cmath>

namespace onair::player {

void ThroughputEstimator::Add(int64_t bytes, int64_t micros) {
  if (bytes <= 0) return;
  micros = std::max<int64_t>(micros, 1000);  // a burst read in one go: at least 1 ms
  const double seconds = static_cast<double>(micros) / 1e6;
  const double bps = static_cast<double>(bytes) * 8 / seconds;
  // Half-lives of 2 s and 5 s of download time.
  const double a_fast = std::pow(0.5, seconds / 2.0), a_slow = std::pow(0.5, seconds / 5.0);
  fast_ = a_fast * fast_ + (1 - a_fast) * bps;
  fast_weight_ = a_fast * fast_weight_ + (1 - a_fast);
  slow_ = a_slow * slow_ + (1 - a_slow) * bps;
  slow_weight_ = a_slow * slow_weight_ + (1 - a_slow);
  bytes_seen_ += bytes;
}

double ThroughputEstimator::bits_per_second() const {
  if (bytes_seen_ < 16 * 1024 || fast_weight_ == 0 || slow_weight_ == 0) return 0;
  return std::min(fast_ / fast_weight_, slow_ / slow_weight_);
}

AbrController::AbrController(std::vector<Rung> rungs, double segment_s)
    : bola_from_s(2 * segment_s), rungs_(std::move(rungs)), segment_s_(segment_s) {}

int AbrController::Lowest(const Cap& cap) const {
  for (size_t i = 0; i < rungs_.size(); ++i) {
    if (cap.Allows(rungs_[i])) return static_cast<int>(i);
  }
  return 0;  // nothing under the cap: the lowest picture beats none
}

int AbrController::Highest(const AbrInput& in, double bps) const {
  int best = Lowest(in.cap);
  for (size_t i = 0; i < rungs_.size(); ++i) {
    if (in.cap.Allows(rungs_[i]) && static_cast<double>(rungs_[i].bandwidth) <= bps) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

// BOLA (Spiteri, Urgaonkar, Sitaraman): the rung m maximising (V·(u_m + γ) − Q) / S_m, with
// utilities u_m = ln(S_m / S_0) + 1, and V, γ chosen so that the lowest rung wins at the
// minimum buffer and the highest at the buffer target.
int AbrController::Bola(const AbrInput& in) const {
  const double min_buffer = segment_s_;
  const double target = std::max(in.target_buffer_s, 2 * bola_from_s);
  const auto s0 = static_cast<double>(rungs_.front().bandwidth);
  const double top_utility = std::log(static_cast<double>(rungs_.back().bandwidth) / s0) + 1;
  if (rungs_.size() < 2 || top_utility <= 1) return Lowest(in.cap);
  const double gamma = (top_utility - 1) / (target / min_buffer - 1);
  const double v = min_buffer / gamma;
  int best = Lowest(in.cap);
  double best_score = -1e300;
  for (size_t i = 0; i < rungs_.size(); ++i) {
    if (!in.cap.Allows(rungs_[i])) continue;
    const auto size = static_cast<double>(rungs_[i].bandwidth);
    const double utility = std::log(size / s0) + 1;
    const double score = (v * (utility + gamma) - in.buffer_s) / size;
    if (score > best_score) {
      best_score = score;
      best = static_cast<int>(i);
    }
  }
  return best;
}

int AbrController::Choose(const AbrInput& in) {
  if (rungs_.empty()) return -1;
  int next;
  if (in.buffer_s >= bola_from_s) {
    next = Bola(in);
  } else if (in.throughput_bps <= 0) {
    next = current_ < 0 ? Lowest(in.cap) : current_;  // nothing measured yet: start low
  } else {
    const int fits = Highest(in, safety * in.throughput_bps);
    next = current_ < 0 ? fits : current_;
    if (current_ >= 0 && fits < current_) {
      next = fits;  // the network cannot carry this rung: down at once
      up_votes_ = 0;
    } else if (current_ >= 0 && in.buffer_s < 0.5 * in.target_buffer_s) {
      next = std::max(current_ - 1, Lowest(in.cap));  // running dry: one down, never up
      up_votes_ = 0;
    } else if (current_ >= 0 && fits > current_) {
      // Up one rung at a time, after two boundaries in a row that allow it, with a buffer.
      if (in.buffer_s >= 0.8 * in.target_buffer_s && ++up_votes_ >= 2) {
        next = current_ + 1;
        up_votes_ = 0;
      }
    }
  }
  // Never above the cap, whatever the rule said: the cap wins at once.
  while (next > 0 && !in.cap.Allows(rungs_[next])) --next;
  current_ = next;
  return next;
}

}  // namespace onair::player
