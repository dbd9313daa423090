#include "net/all_of.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace onair::net {

namespace asio = boost::asio;

asio::awaitable<void> AllOf(std::vector<Job> jobs, std::chrono::milliseconds backstop) {
  auto ex = co_await asio::this_coro::executor;  // bound first (docs/decisions.md)
  struct Round {
    explicit Round(asio::any_io_executor e) : done(e) {}
    size_t left = 0;
    asio::steady_timer done;
  };
  auto round = std::make_shared<Round>(ex);
  round->left = jobs.size();
  for (Job& job : jobs) {
    asio::co_spawn(
        ex,
        [round, job = std::move(job)]() -> asio::awaitable<void> {
          co_await job();
          if (--round->left == 0) round->done.cancel();
        },
        asio::detached);
  }
  if (round->left > 0) {
    round->done.expires_after(backstop);
    co_await round->done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace onair::net
