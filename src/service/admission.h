// Admission and shedding, the filter every onair service puts in front of its routes
// (docs/service.md, "Admission"): each request has a priority class; the least critical are
// refused first, when the adaptive concurrency limit (learnt from latency, gradient style:
// the limit grows while the recent latency is under its target and shrinks in proportion when
// over it) is full for their class, when a class's fixed cap of requests in flight is reached,
// or when the event loops lag beyond a class's threshold. A refused client is told when to
// come back (Retry-After), from a calendar of the seconds ahead filled at the rate the service
// admits, so that retries never return as one wave. Plain logic over given times: tested
// without sockets or sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "core/clock.h"

namespace onair::service {

// Most critical first. Critical requests (a pipeline's writes, the operator's admin calls)
// are never refused.
enum class Priority { kCritical = 0, kLive = 1, kCatchUp = 2, kOther = 3 };
constexpr int kPriorities = 4;
const char* PriorityName(Priority p);  // critical, live, catch-up, other
// What a client may ask for in X-Onair-Priority: live, catch-up or other (never critical).
std::optional<Priority> ParsePriority(std::string_view text);

struct AdmissionOptions {
  // The adaptive limit (playback): off, only the caps and the lag thresholds below refuse.
  bool adaptive = false;
  // Where the limit starts: above what a crowd of keep-alive clients has in flight at once when
  // it connects (wrk's 64, a player farm's hundreds); latency brings it down if it must.
  double initial_limit = 256;
  double min_limit = 8;
  double max_limit = 20'000;
  // The share of the limit each priority may fill, in Priority order: other requests are
  // refused from 60 % of the limit, catch-up from 70 %, live from 80 %.
  double share[kPriorities] = {1.0, 0.8, 0.7, 0.6};
  // The latency the limit keeps requests under: half the playback service's p99 goal (10 ms).
  // A target rather than a learnt baseline: a baseline learnt under load drifts up with it.
  std::chrono::microseconds latency_target{5000};
  double smoothing = 0.2;  // how fast the limit follows its new estimate
  // Fixed caps on requests in flight, by priority (0: none): the origin's live-edge and DVR
  // reads, which hold connections for seconds, are counted this way.
  int64_t max_in_flight[kPriorities] = {0, 0, 0, 0};
  // Event-loop lag (ms) beyond which a priority is refused (0: never).
  int64_t shed_lag_ms[kPriorities] = {0, 0, 0, 0};
  // An admitted request waits behind the requests its loop has already read before it is
  // answered (docs/decisions.md, "Admission counts what an event loop holds"); meanwhile a
  // more critical request may take its place.
  bool take_turns = false;
  // The shortest backoff a refused client is given, by priority: other requests wait longer
  // than play starts (the origin's DVR readers longer still).
  int64_t min_retry_ms[kPriorities] = {1000, 1000, 1000, 2000};
  int64_t max_retry_ms = 60'000;
};

class Admission;

// An admitted request's place (it lives with the request). Dropped before its end (a
// connection torn down, a streamed answer finished), it gives the place back.
struct Ticket {
  Ticket() = default;
  ~Ticket();
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

  enum class State { kIdle, kWaiting, kRunning };
  Priority priority = Priority::kOther;
  State state = State::kIdle;
  bool evicted = false;
  Admission* owner = nullptr;
  Ticket *prev = nullptr, *next = nullptr;  // in the waiting list of its priority
};

class Admission {
 public:
  explicit Admission(AdmissionOptions options = {}, uint64_t seed = std::random_device{}());

  // Admits a request now (true: `ticket` holds its place) or refuses it. With take_turns,
  // the ticket waits until Begin; a request that finds its share of the limit full takes the
  // place of the newest waiting request of the least critical priority below its own: that
  // one is evicted (counted shed; Begin says so) and must be refused in its turn.
  bool Admit(Priority p, MonoTime now, Ticket* ticket);
  // The admitted request's turn: true to answer it, false if it was evicted (refuse it).
  bool Begin(Ticket& ticket);
  // Admit and Begin at once, the place given back when `ticket` goes.
  bool TryAdmit(Priority p, MonoTime now, Ticket* ticket);
  // A request ended after `latency` (its answer made): its place is given back and the
  // adaptive limit learns from it.
  void Done(Ticket& ticket, std::chrono::microseconds latency);
  // How long a refused client should wait (ms): a time in the earliest second ahead (at least
  // its priority's min_retry_ms away) that has fewer retries scheduled
  // than the service admits in a second, at random inside it. So retries come back at most at
  // the rate that can be served, spread as far as they need to be (up to max_retry_ms).
  int64_t RetryAfterMs(Priority p, MonoTime now);

  // The worst event-loop lag now (the service's probe sets it).
  void SetLoopLagMs(int64_t ms) { lag_ms_.store(ms, std::memory_order_relaxed); }
  // Whether a request of `p` would be admitted now (for work the service starts itself, such
  // as the edge's prefetch: skipped when it would be shed).
  bool WouldAdmit(Priority p) const;

  double limit() const;
  int64_t in_flight() const;
  int64_t in_flight(Priority p) const;
  int64_t admitted(Priority p) const;
  int64_t shed(Priority p) const;
  const AdmissionOptions& options() const { return o_; }

 private:
  friend struct Ticket;
  bool RoomLocked(int k) const;
  void Roll(MonoTime now);  // moves the per-second counts on
  void Unlink(Ticket& t);   // off its waiting list (mu_ held)
  void ReleaseLocked(Ticket& t);

  const AdmissionOptions o_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::atomic<int64_t> lag_ms_{0};
  double limit_;
  int64_t in_flight_ = 0;
  int64_t in_flight_by_[kPriorities] = {};
  double short_rtt_us_ = 0;  // over about the last 10 requests
  int64_t since_step_ = 0;   // requests ended since the limit last moved
  int64_t admitted_[kPriorities] = {}, shed_[kPriorities] = {};
  Ticket *head_[kPriorities] = {}, *tail_[kPriorities] = {};  // waiting, oldest first
  // Admitted in the current and the last whole second.
  MonoTime second_start_{};
  int64_t admitted_now_ = 0, admitted_last_ = 0;
  // Retries scheduled in each of the seconds ahead (by monotonic second, a ring).
  static constexpr int kCalendar = 128;
  int64_t calendar_[kCalendar] = {};
  int64_t calendar_first_ = 0;  // the second calendar_[calendar_first_ % kCalendar] counts
};

}  // namespace onair::service
