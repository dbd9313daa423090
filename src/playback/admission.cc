#include "playback/admission.h"

#include <algorithm>
#include <cmath>

namespace onair::playback {

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kLiveStart:
      return "live_start";
    case Priority::kCatchUpStart:
      return "catchup_start";
    case Priority::kOther:
      return "other";
  }
  return "other";
}

Admission::Admission(AdmissionOptions options, uint64_t seed)
    : o_(options), rng_(seed), limit_(std::clamp(o_.initial_limit, o_.min_limit, o_.max_limit)) {}

void Admission::Roll(Clock::time_point now) {
  if (second_start_ == Clock::time_point{}) second_start_ = now;
  const auto elapsed = now - second_start_;
  if (elapsed < std::chrono::seconds(1)) return;
  const bool next = elapsed < std::chrono::seconds(2);  // else a whole quiet second passed
  admitted_last_ = next ? admitted_now_ : 0;
  shed_last_ = next ? shed_now_ : 0;
  admitted_now_ = shed_now_ = 0;
  second_start_ = now;
}

bool Admission::TryAdmit(Priority p, Clock::time_point now) {
  const int k = static_cast<int>(p);
  std::lock_guard<std::mutex> lock(mu_);
  Roll(now);
  if (static_cast<double>(in_flight_) < o_.share[k] * limit_) {
    in_flight_++;
    admitted_[k]++;
    admitted_now_++;
    return true;
  }
  shed_[k]++;
  shed_now_++;
  return false;
}

void Admission::Done(std::chrono::microseconds latency) {
  const double rtt = std::max<double>(1, static_cast<double>(latency.count()));
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t busy = in_flight_;
  in_flight_ = std::max<int64_t>(0, in_flight_ - 1);
  short_rtt_us_ = short_rtt_us_ == 0 ? rtt : short_rtt_us_ + 0.1 * (rtt - short_rtt_us_);
  // Not using half the limit: latency says nothing about a larger one.
  if (static_cast<double>(busy) < limit_ / 2) return;
  // One step per round of requests in flight (about one latency), not per request.
  if (++since_step_ < std::max<int64_t>(10, busy)) return;
  since_step_ = 0;
  // Well under the target the limit may double in a step; over it, it shrinks in proportion
  // (at most by half); it settles where the latency meets the target.
  const double target = static_cast<double>(o_.latency_target.count());
  const double gradient = std::clamp(target / short_rtt_us_, 0.5, 2.0);
  const double estimate = limit_ * gradient + std::sqrt(limit_);
  limit_ =
      std::clamp(limit_ * (1 - o_.smoothing) + estimate * o_.smoothing, o_.min_limit, o_.max_limit);
}

int64_t Admission::RetryAfterMs(Priority p, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  Roll(now);
  const int64_t rate = std::max<int64_t>({admitted_last_, admitted_now_, 1});
  const int64_t refused = std::max(shed_last_, shed_now_);
  int64_t window = std::clamp<int64_t>(1000 * refused / rate, o_.min_retry_ms, o_.max_retry_ms);
  if (p == Priority::kOther) window = std::min(2 * window, o_.max_retry_ms);
  window = std::max(window, std::min(2 * o_.min_retry_ms, o_.max_retry_ms));  // some jitter
  std::uniform_int_distribution<int64_t> spread(o_.min_retry_ms, window);
  return spread(rng_);
}

double Admission::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_;
}

int64_t Admission::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

int64_t Admission::admitted(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return admitted_[static_cast<int>(p)];
}

int64_t Admission::shed(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return shed_[static_cast<int>(p)];
}

}  // namespace onair::playback
