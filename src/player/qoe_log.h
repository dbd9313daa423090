// The QoE events a session has not posted yet (docs/player.md, "QoE events"): at most
// `most`, the oldest dropped first and counted; a batch that failed to post goes back in
// front of what came since. Thread-safe: fetchers, the playout and the control thread add.
#pragma once

#include <deque>
#include <mutex>
#include <vector>

#include "contract/qoe.h"

namespace onair::player {

class QoeLog {
 public:
  explicit QoeLog(size_t most = 1000) : most_(most) {}
  void Add(contract::QoeEvent e);
  // Everything pending, oldest first; the log is empty after.
  std::vector<contract::QoeEvent> Take();
  // A batch that could not be posted, back in front (the oldest dropped beyond `most`).
  void PutBack(std::vector<contract::QoeEvent> batch);
  int dropped() const;
  size_t size() const;

 private:
  void TrimLocked();
  const size_t most_;
  mutable std::mutex mu_;
  std::deque<contract::QoeEvent> events_;
  int dropped_ = 0;
};

}  // namespace onair::player
