#include "service/admission.h"

#include <algorithm>
#include <cmath>

namespace onair::service {

const char* PriorityName(Priority p) {
  switch (p) {
    case Priority::kCritical:
      return "critical";
    case Priority::kLive:
      return "live";
    case Priority::kCatchUp:
      return "catch-up";
    case Priority::kOther:
      return "other";
  }
  return "other";
}

std::optional<Priority> ParsePriority(std::string_view text) {
  if (text == "live") return Priority::kLive;
  if (text == "catch-up") return Priority::kCatchUp;
  if (text == "other") return Priority::kOther;
  return std::nullopt;
}

Admission::Admission(AdmissionOptions options, uint64_t seed)
    : o_(options), rng_(seed), limit_(std::clamp(o_.initial_limit, o_.min_limit, o_.max_limit)) {}

void Admission::Roll(MonoTime now) {
  if (second_start_ == MonoTime{}) second_start_ = now;
  const auto elapsed = now - second_start_;
  if (elapsed < std::chrono::seconds(1)) return;
  const bool next = elapsed < std::chrono::seconds(2);  // else a whole quiet second passed
  admitted_last_ = next ? admitted_now_ : 0;
  admitted_now_ = 0;
  second_start_ = now;
}

Ticket::~Ticket() {
  if (!owner) return;
  std::lock_guard<std::mutex> lock(owner->mu_);
  owner->ReleaseLocked(*this);
}

void Admission::Unlink(Ticket& t) {
  const int k = static_cast<int>(t.priority);
  (t.prev ? t.prev->next : head_[k]) = t.next;
  (t.next ? t.next->prev : tail_[k]) = t.prev;
  t.prev = t.next = nullptr;
}

void Admission::ReleaseLocked(Ticket& t) {
  if (t.state == Ticket::State::kIdle) return;
  if (t.state == Ticket::State::kWaiting) Unlink(t);
  t.state = Ticket::State::kIdle;
  const int k = static_cast<int>(t.priority);
  in_flight_ = std::max<int64_t>(0, in_flight_ - 1);
  in_flight_by_[k] = std::max<int64_t>(0, in_flight_by_[k] - 1);
}

bool Admission::RoomLocked(int k) const {
  if (o_.max_in_flight[k] > 0 && in_flight_by_[k] >= o_.max_in_flight[k]) return false;
  if (o_.shed_lag_ms[k] > 0 && lag_ms_.load(std::memory_order_relaxed) > o_.shed_lag_ms[k]) {
    return false;
  }
  return true;
}

bool Admission::WouldAdmit(Priority p) const {
  const int k = static_cast<int>(p);
  std::lock_guard<std::mutex> lock(mu_);
  if (p == Priority::kCritical) return true;
  return RoomLocked(k) && (!o_.adaptive || static_cast<double>(in_flight_) < o_.share[k] * limit_);
}

bool Admission::Admit(Priority p, MonoTime now, Ticket* t) {
  const int k = static_cast<int>(p);
  std::lock_guard<std::mutex> lock(mu_);
  Roll(now);
  if (p != Priority::kCritical) {
    if (!RoomLocked(k)) {
      shed_[k]++;
      return false;
    }
    if (o_.adaptive && static_cast<double>(in_flight_) >= o_.share[k] * limit_) {
      // Full for this priority: a less critical request still waiting gives up its place.
      Ticket* victim = nullptr;
      for (int q = kPriorities - 1; q > k && !victim; --q) victim = tail_[q];
      if (!victim) {
        shed_[k]++;
        return false;
      }
      const int v = static_cast<int>(victim->priority);
      ReleaseLocked(*victim);
      victim->evicted = true;
      shed_[v]++;
      admitted_[v]--;
      admitted_now_--;
    }
  }
  in_flight_++;
  in_flight_by_[k]++;
  admitted_[k]++;
  admitted_now_++;
  t->priority = p;
  t->owner = this;
  t->evicted = false;
  t->next = nullptr;
  t->prev = nullptr;
  if (o_.take_turns) {
    t->state = Ticket::State::kWaiting;
    t->prev = tail_[k];
    (tail_[k] ? tail_[k]->next : head_[k]) = t;
    tail_[k] = t;
  } else {
    t->state = Ticket::State::kRunning;
  }
  return true;
}

bool Admission::Begin(Ticket& t) {
  std::lock_guard<std::mutex> lock(mu_);
  if (t.evicted) return false;
  if (t.state == Ticket::State::kWaiting) {
    Unlink(t);
    t.state = Ticket::State::kRunning;
  }
  return t.state == Ticket::State::kRunning;
}

bool Admission::TryAdmit(Priority p, MonoTime now, Ticket* ticket) {
  return Admit(p, now, ticket) && Begin(*ticket);
}

void Admission::Done(Ticket& ticket, std::chrono::microseconds latency) {
  const double rtt = std::max<double>(1, static_cast<double>(latency.count()));
  std::lock_guard<std::mutex> lock(mu_);
  if (ticket.state == Ticket::State::kIdle) return;
  const int64_t busy = in_flight_;
  ReleaseLocked(ticket);
  if (!o_.adaptive) return;
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

int64_t Admission::RetryAfterMs(Priority p, MonoTime now) {
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
  const int64_t earliest = now_ms + std::min(o_.min_retry_ms[static_cast<int>(p)], o_.max_retry_ms);
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

int64_t Admission::in_flight(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_by_[static_cast<int>(p)];
}

int64_t Admission::admitted(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return admitted_[static_cast<int>(p)];
}

int64_t Admission::shed(Priority p) const {
  std::lock_guard<std::mutex> lock(mu_);
  return shed_[static_cast<int>(p)];
}

}  // namespace onair::service
