#include "service/faults.h"

#include <algorithm>

namespace onair::service {

using contract::FaultSpec;

Faults::Faults(Clock* clock, uint64_t seed) : clock_(clock), rng_(seed) {}

void Faults::Set(std::vector<FaultSpec> rules) {
  const MonoTime now = clock_->Monotonic();
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  for (FaultSpec& s : rules) {
    Rule r;
    r.left = s.count;
    if (s.seconds > 0) r.until = now + std::chrono::seconds(s.seconds);
    r.spec = std::move(s);
    rules_.push_back(std::move(r));
  }
  active_ = !rules_.empty();
}

void Faults::PruneLocked(MonoTime now) {
  std::erase_if(rules_, [&](const Rule& r) { return r.left == 0 || (r.until && now >= *r.until); });
  active_ = !rules_.empty();
}

std::vector<FaultSpec> Faults::Rules() const {
  const MonoTime now = clock_->Monotonic();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FaultSpec> out;
  for (const Rule& r : rules_) {
    if (r.left == 0 || (r.until && now >= *r.until)) continue;
    FaultSpec s = r.spec;
    s.count = r.left;
    if (r.until) {
      s.seconds = std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(*r.until - now).count());
    }
    out.push_back(std::move(s));
  }
  return out;
}

Faults::Decision Faults::Decide(std::string_view route, std::string_view path) {
  Decision d;
  if (!active()) return d;
  const MonoTime now = clock_->Monotonic();
  std::lock_guard<std::mutex> lock(mu_);
  PruneLocked(now);
  bool delayed = false, aborted = false;
  std::uniform_real_distribution<double> draw(0.0, 1.0);
  for (Rule& r : rules_) {
    const FaultSpec& s = r.spec;
    const bool delay = s.kind == FaultSpec::Kind::kDelay;
    if ((delay && delayed) || (!delay && aborted)) continue;
    if (s.route != "*" && s.route != route) continue;
    if (!s.path_prefix.empty() && !path.starts_with(s.path_prefix)) continue;
    if (s.share < 1 && draw(rng_) >= s.share) continue;
    if (r.left > 0) r.left--;
    if (delay) {
      d.delay_ms = s.delay_ms;
      delayed = true;
    } else if (s.kind == FaultSpec::Kind::kAbort) {
      d.abort_status = s.status;
      aborted = true;
    } else {
      d.reset = true;
      aborted = true;
    }
  }
  PruneLocked(now);
  return d;
}

}  // namespace onair::service
