#include "playback/poller.h"

#include <boost/asio/this_coro.hpp>

#include "core/log.h"
#include "net/all_of.h"
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
  std::erase_if(clients_, [&](const auto& kv) {
    return std::none_of(edges.begin(), edges.end(),
                        [&](const EdgeEntry& e) { return e.name == kv.first; });
  });
  // One poll per edge, all at once (on this loop); each ends within its connect and answer
  // deadlines, the backstop is only a backstop.
  auto results = std::make_shared<std::vector<std::pair<std::string, EdgeHealth>>>(edges.size());
  std::vector<net::Job> polls;
  for (size_t k = 0; k < edges.size(); ++k) {
    polls.push_back([this, results, k, edge = edges[k]]() -> asio::awaitable<void> {
      EdgeHealth h = co_await Poll(edge);
      (*results)[k] = {edge.name, h};
    });
  }
  co_await net::AllOf(std::move(polls), 4 * timeout_ + std::chrono::seconds(3));
  co_return *results;
}

}  // namespace onair::playback
