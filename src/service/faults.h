// The fault hook in the request path of every service (docs/service.md, "Faults"): rules set
// through the admin API (contract/faults.h) delay a share of a route's requests, abort them
// with a status, or reset their connection. Off (one atomic load per request) until a rule is
// set. The fault injector drives it; plain logic over an injected clock and random source.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "contract/faults.h"
#include "core/clock.h"

namespace onair::service {

class Faults {
 public:
  explicit Faults(Clock* clock, uint64_t seed = std::random_device{}());

  // Replaces every rule (an empty list clears them).
  void Set(std::vector<contract::FaultSpec> rules);
  // The rules in force, with what is left of their counts and times.
  std::vector<contract::FaultSpec> Rules() const;

  // What to do to a request of `route` for `path`: a delay first (the first delay rule that
  // fires), then at most one abort or reset (the first such rule that fires).
  struct Decision {
    int64_t delay_ms = 0;
    int abort_status = 0;  // 0: none
    bool reset = false;
    bool any() const { return delay_ms > 0 || abort_status > 0 || reset; }
  };
  Decision Decide(std::string_view route, std::string_view path);
  bool active() const { return active_.load(std::memory_order_relaxed); }

 private:
  struct Rule {
    contract::FaultSpec spec;
    int64_t left = -1;  // requests left (-1: no limit)
    std::optional<MonoTime> until;
  };
  void PruneLocked(MonoTime now);

  Clock* clock_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;
  std::vector<Rule> rules_;
  std::atomic<bool> active_{false};
};

}  // namespace onair::service
