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

Ticket::~Ticket() {
  if (!owner) return;
  std::lock_guard<std::mutex> lock(owner->mu_);
  if (!waiting) return;
  owner->Unlink(*this);
  owner->in_flight_ = std::max<int64_t>(0, owner->in_flight_ - 1);
}

void Admission::Unlink(Ticket& t) {
  const int k = static_cast<int>(t.priority);
  (t.prev ? t.prev->next : head_[k]) = t.next;
  (t.next ? t.next->prev : tail_[k]) = t.prev;
  t.prev = t.next = nullptr;
  t.waiting = false;
}

bool Admission::Admit(Priority p, Clock::time_point now, Ticket* t) {
  const int k = static_cast<int>(p);
  std::lock_guard<std::mutex> lock(mu_);
  Roll(now);
  if (static_cast<double>(in_flight_) >= o_.share[k] * limit_) {
    // Full for this priority: a less critical request still waiting gives up its place.
    Ticket* victim = nullptr;
    for (int q = kPriorities - 1; q > k && !victim; --q) victim = tail_[q];
    if (!victim) {
      shed_[k]++;
      shed_now_++;
      return false;
    }
    Unlink(*victim);
    victim->evicted = true;
    shed_[static_cast<int>(victim->priority)]++;
    admitted_[static_cast<int>(victim->priority)]--;
    shed_now_++;
    in_flight_--;
    admitted_now_--;
  }
  in_flight_++;
  admitted_[k]++;
  admitted_now_++;
  t->priority = p;
  t->owner = this;
  t->evicted = false;
  t->waiting = true;
  t->next = nullptr;
  t->prev = tail_[k];
  (tail_[k] ? tail_[k]->next : head_[k]) = t;
  tail_[k] = t;
  return true;
}

bool Admission::Begin(Ticket& t) {
  std::lock_guard<std::mutex> lock(mu_);
  if (t.evicted) return false;
  if (t.waiting) Unlink(t);
  return true;
}

bool Admission::TryAdmit(Priority p, Clock::time_point now) {
  Ticket t;
  return Admit(p, now, &t) && Begin(t);
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
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::lock_guard<std::mutex> lock(mu_);
  Roll(now);
  const int64_t now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  // Seconds gone by leave the calendar.
  const int64_t second = now_ms / 1000;
  for (; calendar_first_ < second; ++calendar_first_) {
    calendar_[calendar_first_ % kCalendar] = 0;
    if (second - calendar_first_ > kCalendar) calendar_first_ = second - kCalendar;
  }
  const int64_t rate = std::max<int64_t>({admitted_last_, admitted_now_, 1});
  const int64_t earliest =
      now_ms + (p == Priority::kOther ? 2 : 1) * std::min(o_.min_retry_ms, o_.max_retry_ms);
  const int64_t latest = now_ms + o_.max_retry_ms;
  for (int64_t s = earliest / 1000; s * 1000 <= latest && s - second < kCalendar; ++s) {
    int64_t& scheduled = calendar_[s % kCalendar];
    if (scheduled >= rate) continue;
    scheduled++;
    const int64_t from = std::max(earliest, s * 1000);
    const int64_t to = std::min(latest, s * 1000 + 999);
    std::uniform_int_distribution<int64_t> at(from, std::max(from, to));
    return at(rng_) - now_ms;
  }
  return o_.max_retry_ms;  // every second ahead is full: the longest wait
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
