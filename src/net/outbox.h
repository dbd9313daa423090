// A bounded queue of messages sent in order on a thread of its own, so whoever offers them
// never waits on the peer (the metrics collectors' parts to NATS): while the peer is slow or
// away, messages wait; past `max_bytes` waiting, the oldest are dropped and counted. A send
// that fails is retried after `retry`. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "core/status.h"

namespace onair::net {

class Outbox {
 public:
  using Send = std::function<Status(std::string_view message)>;

  Outbox(Send send, size_t max_bytes,
         std::chrono::milliseconds retry = std::chrono::milliseconds(100));
  ~Outbox();  // stops; what is still waiting is dropped (and counted)
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  void Offer(std::string message);  // never blocks on a send

  uint64_t sent() const { return sent_; }
  uint64_t dropped() const { return dropped_; }
  uint64_t failures() const { return failures_; }  // sends that failed (then retried)
  size_t waiting_bytes() const;

 private:
  void Run();

  const Send send_;
  const size_t max_bytes_;
  const std::chrono::milliseconds retry_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<uint64_t, std::string>> queue_;  // by the order offered
  uint64_t next_id_ = 0;
  size_t bytes_ = 0;
  bool stop_ = false;
  std::atomic<uint64_t> sent_{0}, dropped_{0}, failures_{0};
  std::thread thread_;  // last: starts once the rest is made
};

}  // namespace onair::net
