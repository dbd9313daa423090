// Admission control of the playback service under surges (docs/playback.md, "Protection"):
// an adaptive concurrency limit learnt from latency (gradient style: the limit grows while
// the recent latency is under its target and shrinks in proportion when it is over), filled
// by priority so that the least critical requests are refused first; and the server-guided
// backoff a refused client gets, spread so that retries do not come back as one wave.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>

namespace onair::playback {

enum class Priority { kLiveStart = 0, kCatchUpStart = 1, kOther = 2 };  // most critical first
constexpr int kPriorities = 3;
const char* PriorityName(Priority p);

struct AdmissionOptions {
  // Where the limit starts: above what a crowd of keep-alive clients has in flight at once when
  // it connects (wrk's 64, a player farm's hundreds); latency brings it down if it must.
  double initial_limit = 256;
  double min_limit = 8;
  double max_limit = 20'000;
  // The share of the limit each priority may fill, in Priority order: other requests are
  // refused from 60 % of the limit, catch-up starts from 70 %, live starts from 80 %.
  double share[kPriorities] = {0.8, 0.7, 0.6};
  // The latency the limit keeps requests under: half the service's p99 goal (10 ms). A
  // target rather than a learnt baseline: a baseline learnt under load drifts up with it.
  std::chrono::microseconds latency_target{5000};
  double smoothing = 0.2;       // how fast the limit follows its new estimate
  int64_t min_retry_ms = 1000;  // the shortest backoff a refused client is given
  int64_t max_retry_ms = 60'000;
};

class Admission;

// An admitted request's place (it lives with the request): while it waits behind the requests
// its event loop read before it, a more critical request may take it. Dropped before its turn
// (a connection torn down), it gives the place back.
struct Ticket {
  Ticket() = default;
  ~Ticket();
  Ticket(const Ticket&) = delete;
  Ticket& operator=(const Ticket&) = delete;

  Priority priority = Priority::kOther;
  bool evicted = false;
  bool waiting = false;
  Admission* owner = nullptr;
  Ticket *prev = nullptr, *next = nullptr;  // in the waiting list of its priority
};

class Admission {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Admission(AdmissionOptions options = {}, uint64_t seed = std::random_device{}());

  // Admits a request now (true: `ticket` holds its place; call Begin when its turn comes) or
  // refuses it. A request that finds its share of the limit full takes the place of the
  // newest waiting request of the least critical priority below its own, if there is one:
  // that one is evicted (counted shed; Begin says so) and must be refused in its turn.
  bool Admit(Priority p, Clock::time_point now, Ticket* ticket);
  // The admitted request's turn: true to answer it (then call Done), false if it was evicted
  // (refuse it; no Done).
  bool Begin(Ticket& ticket);
  // Admit and Begin at once: true when admitted (call Done when it ends).
  bool TryAdmit(Priority p, Clock::time_point now);
  // An admitted request ended after `latency`: the limit learns from it.
  void Done(std::chrono::microseconds latency);
  // How long a refused client should wait (ms): a time in the earliest second ahead (at least
  // min_retry_ms away; a second more for other requests) that has fewer retries scheduled
  // than the service admits in a second, at random inside it. So retries come back at most at
  // the rate that can be served, spread as far as they need to be (up to max_retry_ms).
  int64_t RetryAfterMs(Priority p, Clock::time_point now);

  double limit() const;
  int64_t in_flight() const;
  int64_t admitted(Priority p) const;
  int64_t shed(Priority p) const;

 private:
  void Roll(Clock::time_point now);  // moves the per-second counts on

  const AdmissionOptions o_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  double limit_;
  int64_t in_flight_ = 0;
  double short_rtt_us_ = 0;  // over about the last 10 requests
  int64_t since_step_ = 0;   // requests ended since the limit last moved
  int64_t admitted_[kPriorities] = {}, shed_[kPriorities] = {};
  friend struct Ticket;
  void Unlink(Ticket& t);                                     // off its waiting list (mu_ held)
  Ticket *head_[kPriorities] = {}, *tail_[kPriorities] = {};  // waiting, oldest first
  // Admitted and shed in the current and the last whole second.
  Clock::time_point second_start_{};
  int64_t admitted_now_ = 0, shed_now_ = 0, admitted_last_ = 0, shed_last_ = 0;
  // Retries scheduled in each of the seconds ahead (by steady-clock second, a ring).
  static constexpr int kCalendar = 128;
  int64_t calendar_[kCalendar] = {};
  int64_t calendar_first_ = 0;  // the second calendar_[calendar_first_ % kCalendar] counts
};

}  // namespace onair::playback
