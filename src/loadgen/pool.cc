#include "loadgen/pool.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace onair::loadgen {

namespace asio = boost::asio;

ClientPool::ClientPool(asio::any_io_executor ex, net::Url server, size_t max,
                       net::ClientOptions options)
    : ex_(std::move(ex)),
      server_(std::move(server)),
      max_(std::max<size_t>(1, max)),
      options_(std::move(options)) {}

asio::awaitable<std::unique_ptr<net::HttpClient>> ClientPool::Take() {
  while (idle_.empty() && open_ >= max_) {
    auto t = std::make_shared<asio::steady_timer>(ex_, asio::steady_timer::time_point::max());
    waiting_.push_back(t);
    boost::system::error_code ec;
    co_await t->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    co_return c;
  }
  ++open_;
  co_return std::make_unique<net::HttpClient>(ex_, server_, options_);
}

void ClientPool::Give(std::unique_ptr<net::HttpClient> c, bool keep) {
  if (keep && c->connected()) {
    idle_.push_back(std::move(c));
  } else {
    --open_;
  }
  if (!waiting_.empty()) {
    waiting_.front()->cancel();
    waiting_.pop_front();
  }
}

asio::awaitable<StatusOr<net::Response>> ClientPool::Send(std::string method, std::string target,
                                                          net::Headers headers, std::string body,
                                                          std::chrono::milliseconds timeout) {
  std::unique_ptr<net::HttpClient> c = co_await Take();
  StatusOr<net::Response> res = co_await c->Send(std::move(method), std::move(target),
                                                 std::move(headers), std::move(body), timeout);
  Give(std::move(c), res.ok());
  co_return res;
}

}  // namespace onair::loadgen
