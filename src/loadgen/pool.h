// Keep-alive connections from one event loop to one server (the playback service; a replay's
// hosts), shared by the loop's virtual devices for their play starts, steering reloads and QoE
// posts, as a fleet of devices behind a few front doors would: at most `max` open, a request waits
// for a free one when all are busy (its latency counts from its scheduled time, so the wait shows).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace onair::loadgen {

class ClientPool {
 public:
  ClientPool(boost::asio::any_io_executor ex, net::Url server, size_t max,
             net::ClientOptions options = {});

  // One whole request on a free connection (a new one while under `max`).
  boost::asio::awaitable<StatusOr<net::Response>> Send(std::string method, std::string target,
                                                       net::Headers headers, std::string body,
                                                       std::chrono::milliseconds timeout);
  size_t open() const { return open_; }
  const net::Url& server() const { return server_; }

 private:
  boost::asio::awaitable<std::unique_ptr<net::HttpClient>> Take();
  void Give(std::unique_ptr<net::HttpClient> c, bool keep);

  boost::asio::any_io_executor ex_;
  net::Url server_;
  size_t max_;
  net::ClientOptions options_;
  size_t open_ = 0;
  std::vector<std::unique_ptr<net::HttpClient>> idle_;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiting_;
};

}  // namespace onair::loadgen
