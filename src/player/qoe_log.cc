#include "player/qoe_log.h"

namespace onair::player {

void QoeLog::TrimLocked() {
  while (events_.size() > most_) {
    events_.pop_front();
    ++dropped_;
  }
}

void QoeLog::Add(contract::QoeEvent e) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(std::move(e));
  TrimLocked();
}

std::vector<contract::QoeEvent> QoeLog::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<contract::QoeEvent> out(std::make_move_iterator(events_.begin()),
                                      std::make_move_iterator(events_.end()));
  events_.clear();
  return out;
}

void QoeLog::PutBack(std::vector<contract::QoeEvent> batch) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.insert(events_.begin(), std::make_move_iterator(batch.begin()),
                 std::make_move_iterator(batch.end()));
  TrimLocked();
}

int QoeLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

size_t QoeLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}

}  // namespace onair::player
