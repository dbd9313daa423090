// QoE batches the playback service accepted, passed on to the metrics service (`--metrics`):
// players keep posting where they start from, and the metrics service gets every batch. A
// bounded queue (a slow or dead metrics service costs memory up to `max_pending`, then the
// newest batches are dropped and counted), emptied by the background loop: one keep-alive
// connection, each batch posted once (figures, not records: a batch lost on a failed post is
// counted, not retried).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "core/metrics.h"
#include "net/http_client.h"
#include "net/url.h"

namespace onair::playback {

class QoeForwarder {
 public:
  QoeForwarder(net::Url metrics, std::string target, MetricsRegistry& m,
               size_t max_pending = 10'000);
  ~QoeForwarder();

  void Push(std::string body);                                          // any thread
  boost::asio::awaitable<void> Flush(boost::asio::any_io_executor ex);  // the background loop
  size_t pending() const;

 private:
  net::Url metrics_;
  std::string target_;
  size_t max_pending_;
  mutable std::mutex mu_;
  std::deque<std::string> pending_;
  std::unique_ptr<net::HttpClient> client_;
  Counter& forwarded_;
  Counter& dropped_;
  Counter& failed_;
};

}  // namespace onair::playback
