#include "playback/poller.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.h"
#include "net/url.h"

namespace onair::playback {

namespace asio = boost::asio;

asio::awaitable<EdgeHealth> EdgePoller::Poll(const EdgeEntry& e) {
  EdgeHealth down;
  down.polled = clock_->Monotonic();
  auto url = net::ParseUrl(e.base_url);
  if (!url.ok()) co_return down;
  auto& client = clients_[e.name];
  if (!client || client->server().host != url->host || client->server().port != url->port) {
    net::ClientOptions o;
    o.connect_timeout = timeout_;
    auto ex = co_await asio::this_coro::executor;  // bound first (docs/decisions.md)
    client = std::make_unique<net::HttpClient>(ex, *url, o);
  }
  auto r = co_await client->Send("GET", url->path + "/v1/edge/status", {}, "", timeout_);
  down.polled = clock_->Monotonic();
  if (!r.ok() || r->status != 200) {
    client->Close();
    co_return down;
  }
  auto h = ParseEdgeStatus(r->body, down.polled);
  if (!h.ok()) {
    Logger("playback")->warn("edge {}: {}", e.name, h.status().message());
    co_return down;
  }
  co_return *h;
}

asio::awaitable<std::vector<std::pair<std::string, EdgeHealth>>> EdgePoller::PollAll(
    std::vector<EdgeEntry> edges) {
  auto ex = co_await asio::this_coro::executor;
  std::erase_if(clients_, [&](const auto& kv) {
    return std::none_of(edges.begin(), edges.end(),
                        [&](const EdgeEntry& e) { return e.name == kv.first; });
  });
  // One coroutine per edge, all at once; this one waits for the last (all on one loop).
  struct Round {
    explicit Round(asio::any_io_executor ex) : done(ex) {}
    std::vector<std::pair<std::string, EdgeHealth>> results;
    size_t left = 0;
    asio::steady_timer done;
  };
  auto round = std::make_shared<Round>(ex);
  round->results.resize(edges.size());
  round->left = edges.size();
  for (size_t k = 0; k < edges.size(); ++k) {
    asio::co_spawn(
        ex,
        [this, round, k, edge = edges[k]]() -> asio::awaitable<void> {
          EdgeHealth h = co_await Poll(edge);
          round->results[k] = {edge.name, h};
          if (--round->left == 0) round->done.cancel();
        },
        asio::detached);
  }
  if (round->left > 0) {
    // Each poll ends within its connect and answer deadlines; this bound is only a backstop.
    round->done.expires_after(4 * timeout_ + std::chrono::seconds(3));
    co_await round->done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_return round->results;
}

}  // namespace onair::playback
