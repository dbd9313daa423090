#include "service/periodic.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"

namespace onair::service {

namespace asio = boost::asio;

PeriodicTask::PeriodicTask(std::string name, std::chrono::microseconds interval, Job job,
                           Clock* clock)
    : name_(std::move(name)), interval_(interval), job_(std::move(job)), clock_(clock) {}

MonoTime PeriodicTask::NextRun(MonoTime started, MonoTime ended,
                               std::chrono::microseconds interval) {
  return std::max(started + interval, ended);
}

PeriodicTask::Job PeriodicTask::Plain(std::function<void()> f) {
  return [f = std::move(f)]() -> asio::awaitable<void> {
    f();
    co_return;
  };
}

void PeriodicTask::Start(asio::any_io_executor ex) {
  ex_ = ex;
  asio::co_spawn(
      ex, [self = shared_from_this()] { return self->Loop(); }, asio::detached);
}

void PeriodicTask::Stop() {
  stopped_ = true;
  if (ex_) {
    asio::post(ex_, [self = shared_from_this()] {
      if (self->wake_) self->wake_();
    });
  }
}

void PeriodicTask::RunSoon() {
  soon_ = true;
  if (ex_) {
    asio::post(ex_, [self = shared_from_this()] {
      if (self->wake_) self->wake_();
    });
  }
}

asio::awaitable<void> PeriodicTask::Loop() {
  auto self = shared_from_this();  // alive as long as the loop runs
  asio::steady_timer timer(co_await asio::this_coro::executor);
  wake_ = [&timer] { timer.cancel(); };
  while (!stopped_) {
    const MonoTime started = clock_->Monotonic();
    try {
      co_await job_();
    } catch (const std::exception& e) {
      Logger("service")->warn("{}: {}", name_, e.what());
    }
    runs_++;
    if (stopped_) break;
    const MonoTime next = NextRun(started, clock_->Monotonic(), interval_);
    if (soon_.exchange(false)) continue;
    timer.expires_after(std::max(next - clock_->Monotonic(), MonoTime::duration::zero()));
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    soon_ = false;
  }
  wake_ = nullptr;
}

}  // namespace onair::service
