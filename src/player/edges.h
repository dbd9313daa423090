// The edges a player may fetch from, best first: the manifest's BaseURLs, reordered by the
// steering server, with an edge that just failed moved out of the way for a while. Shared by
// the player's fetchers (thread-safe).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "player/mpd.h"

namespace onair::player {

class EdgeSet {
 public:
  // `penalty_us`: how long a failed edge waits behind the others.
  EdgeSet(std::vector<BaseUrl> edges, int64_t penalty_us = 10'000'000);

  // The edge to use now. Never fails: when every edge failed lately, the one that failed
  // longest ago.
  BaseUrl Best(UtcMicros now) const;
  void Failed(const std::string& url, UtcMicros now);
  // The steering server's order (service locations); unknown names are ignored. Edges it
  // does not name (drained, overloaded) are used only when none that it names can be.
  void Steer(const std::vector<std::string>& priority);
  size_t size() const;

 private:
  struct Entry {
    BaseUrl base;
    bool failed = false;
    UtcMicros failed_at = 0;
    bool steered_out = false;
  };
  mutable std::mutex mu_;
  std::vector<Entry> edges_;
  int64_t penalty_us_;
};

}  // namespace onair::player
