#include "loadgen/schedule.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

namespace onair::loadgen {
namespace {

// `n` instants spread evenly over [from, from + over).
template <class F>
void Spread(int64_t n, int64_t from, int64_t over, F&& at) {
  for (int64_t k = 0; k < n; ++k) {
    at(from + static_cast<int64_t>(static_cast<double>(over) * (static_cast<double>(k) + 0.5) /
                                   static_cast<double>(n)));
  }
}

}  // namespace

Schedule MakeSchedule(const Scenario& s) {
  Schedule out;
  std::deque<size_t> running;  // oldest first
  int64_t t = 0;
  bool after_outage = false;
  auto start = [&](int64_t at) {
    running.push_back(out.sessions.size());
    out.sessions.push_back({at, 0, after_outage});
  };
  auto leave = [&](int64_t at) {
    out.sessions[running.front()].end_us = at;
    running.pop_front();
  };
  for (const Phase& p : s.phases) {
    if (p.kind == Phase::kOutage) {
      while (!running.empty()) leave(t);
      after_outage = true;
    } else if (p.kind == Phase::kRamp) {
      const auto target =
          static_cast<int64_t>(std::llround(p.to_share * static_cast<double>(s.peak)));
      const int64_t now = static_cast<int64_t>(running.size());
      const int64_t n = std::abs(target - now);
      const int steps = std::max(1, p.steps);
      const int64_t step_len = p.length_us / steps;
      for (int i = 0; i < steps; ++i) {
        const int64_t count = n * (i + 1) / steps - n * i / steps;
        const int64_t from = t + i * step_len;
        const int64_t over =
            p.steps == 0 ? p.length_us
                         : std::min(step_len, p.spread_us > 0 ? p.spread_us : int64_t{10'000'000});
        if (target >= now) {
          Spread(count, from, over, start);
        } else {
          Spread(count, from, over, leave);
        }
      }
    }
    t += p.length_us;
  }
  out.duration_us = t;
  while (!running.empty()) leave(t);
  std::stable_sort(
      out.sessions.begin(), out.sessions.end(),
      [](const PlannedSession& a, const PlannedSession& b) { return a.start_us < b.start_us; });
  std::map<int64_t, int64_t> per_second;
  for (const PlannedSession& p : out.sessions) {
    out.peak_rate =
        std::max(out.peak_rate, static_cast<double>(++per_second[p.start_us / 1'000'000]));
  }
  return out;
}

Status CheckBounds(const Scenario& s, const Schedule& schedule) {
  if (static_cast<int64_t>(schedule.sessions.size()) > s.max_sessions) {
    return InvalidArgument("the scenario starts " + std::to_string(schedule.sessions.size()) +
                           " sessions, over its bound of " + std::to_string(s.max_sessions) +
                           " (max-sessions)");
  }
  if (schedule.peak_rate > s.max_rate) {
    return InvalidArgument("the scenario starts " +
                           std::to_string(static_cast<int64_t>(schedule.peak_rate)) +
                           " sessions in one second, over its bound of " +
                           std::to_string(static_cast<int64_t>(s.max_rate)) + "/s (max-rate)");
  }
  return Status::Ok();
}

}  // namespace onair::loadgen
