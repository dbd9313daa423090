// A coroutine that waits for something another thread will announce (bytes arriving, a
// segment appearing), with a deadline. The announcer calls Wake() from any thread; the wait
// ends on the waiter's own executor. No wake-up is lost: Wake() before Wait() makes the next
// Wait() return at once.
#pragma once

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <memory>

namespace onair::net {

class Waiter : public std::enable_shared_from_this<Waiter> {
 public:
  explicit Waiter(boost::asio::any_io_executor ex) : timer_(std::move(ex)) {}

  void Wake() {
    woken_ = true;
    boost::asio::post(timer_.get_executor(),
                      [self = shared_from_this()] { self->timer_.cancel(); });
  }

  // True if woken, false if the deadline came first.
  boost::asio::awaitable<bool> Wait(std::chrono::steady_clock::time_point until) {
    if (woken_.exchange(false)) co_return true;
    timer_.expires_at(until);
    auto [ec] = co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    woken_ = false;
    co_return static_cast<bool>(ec);  // cancelled: woken
  }

 private:
  boost::asio::steady_timer timer_;
  std::atomic<bool> woken_{false};
};

}  // namespace onair::net
