#include "net/outbox.h"

namespace onair::net {

Outbox::Outbox(Send send, size_t max_bytes, std::chrono::milliseconds retry)
    : send_(std::move(send)), max_bytes_(max_bytes), retry_(retry), thread_([this] { Run(); }) {}

Outbox::~Outbox() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    dropped_ += queue_.size();
    queue_.clear();
    bytes_ = 0;
  }
  cv_.notify_all();
  thread_.join();
}

void Outbox::Offer(std::string message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_ += message.size();
    queue_.emplace_back(next_id_++, std::move(message));
    while (bytes_ > max_bytes_ && !queue_.empty()) {
      bytes_ -= queue_.front().second.size();
      queue_.pop_front();
      ++dropped_;
    }
  }
  cv_.notify_one();
}

size_t Outbox::waiting_bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

void Outbox::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    // Sent outside the lock: offers go on meanwhile (and may drop the one being sent: it is
    // sent anyway, once).
    const auto [id, message] = queue_.front();
    lock.unlock();
    const Status s = send_(message);
    lock.lock();
    if (s.ok()) {
      ++sent_;
      if (!queue_.empty() && queue_.front().first == id) {
        bytes_ -= queue_.front().second.size();
        queue_.pop_front();
      }
    } else {
      ++failures_;
      cv_.wait_for(lock, retry_, [&] { return stop_; });
    }
  }
}

}  // namespace onair::net
