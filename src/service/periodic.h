// Work repeated at an interval on an executor (a service's background loop), timed by the
// injected clock: the edge's health checks and announcements, the playback service's catalog
// refresh and edge polls, the origin's eviction. A run that takes longer than the interval
// is followed by the next at once, never by a burst of missed ones. The schedule is a pure
// function (NextRun), tested on a simulated clock; the waiting between runs is a real timer.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.h"

namespace onair::service {

class PeriodicTask : public std::enable_shared_from_this<PeriodicTask> {
 public:
  using Job = std::function<boost::asio::awaitable<void>()>;
  PeriodicTask(std::string name, std::chrono::microseconds interval, Job job, Clock* clock);

  // The first run at once, then every interval, on `ex`.
  void Start(boost::asio::any_io_executor ex);
  // No run starts after this (one in progress ends on its own).
  void Stop();
  // The next run now rather than at its time (a lever changed).
  void RunSoon();
  int64_t runs() const { return runs_.load(); }
  const std::string& name() const { return name_; }

  // When the next run is due after one that started at `started` and ended at `ended`.
  static MonoTime NextRun(MonoTime started, MonoTime ended, std::chrono::microseconds interval);

  // A job from a plain function.
  static Job Plain(std::function<void()> f);

 private:
  boost::asio::awaitable<void> Loop();

  const std::string name_;
  const std::chrono::microseconds interval_;
  const Job job_;
  Clock* clock_;
  boost::asio::any_io_executor ex_;
  std::atomic<bool> stopped_{false}, soon_{false};
  std::atomic<int64_t> runs_{0};
  std::function<void()> wake_;  // cancels the wait (on ex_ only)
};

}  // namespace onair::service
