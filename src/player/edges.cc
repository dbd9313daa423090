#include "player/edges.h"

#include <algorithm>

namespace onair::player {

EdgeSet::EdgeSet(std::vector<BaseUrl> edges, int64_t penalty_us) : penalty_us_(penalty_us) {
  for (BaseUrl& b : edges) edges_.push_back({std::move(b), 0});
}

size_t EdgeSet::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return edges_.size();
}

BaseUrl EdgeSet::Best(UtcMicros now) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const bool steered_out : {false, true}) {
    for (const Entry& e : edges_) {
      if (e.steered_out != steered_out) continue;
      if (!e.failed || now - e.failed_at >= penalty_us_) return e.base;
    }
  }
  const Entry* oldest = &edges_.front();
  for (const Entry& e : edges_) {
    if (e.failed_at < oldest->failed_at) oldest = &e;
  }
  return oldest->base;
}

void EdgeSet::Failed(const std::string& url, UtcMicros now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Entry& e : edges_) {
    if (e.base.url == url) {
      e.failed = true;
      e.failed_at = now;
    }
  }
}

void EdgeSet::Steer(const std::vector<std::string>& priority) {
  std::lock_guard<std::mutex> lock(mu_);
  auto rank = [&](const Entry& e) {
    const auto it = std::find(priority.begin(), priority.end(), e.base.service_location);
    return it == priority.end() ? priority.size() : static_cast<size_t>(it - priority.begin());
  };
  std::stable_sort(edges_.begin(), edges_.end(),
                   [&](const Entry& a, const Entry& b) { return rank(a) < rank(b); });
  for (Entry& e : edges_) e.steered_out = !priority.empty() && rank(e) == priority.size();
}

}  // namespace onair::player
