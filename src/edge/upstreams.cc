#include "edge/upstreams.h"

#include <boost/asio/this_coro.hpp>

#include "core/log.h"
#include "net/http_client.h"

namespace onair::edge {

namespace asio = boost::asio;

Upstreams::Upstreams(const std::vector<std::string>& urls, MetricsRegistry& m)
    : errors_(m.counter("onair_edge_upstream_errors_total", "Upstream connections that failed.")),
      healthy_gauge_(m.gauge("onair_edge_upstreams_healthy", "Upstreams passing checks.")) {
  for (const std::string& u : urls) list_.push_back(std::make_unique<Upstream>(*net::ParseUrl(u)));
  healthy_gauge_.Set(static_cast<int64_t>(list_.size()));
}

std::vector<Upstream*> Upstreams::FillOrder() const {
  std::vector<Upstream*> order;
  for (const auto& u : list_) {
    if (u->healthy) order.push_back(u.get());
  }
  for (const auto& u : list_) {
    if (!u->healthy) order.push_back(u.get());
  }
  return order;
}

void Upstreams::MarkDown(Upstream* u, const std::string& why) {
  errors_.Inc();
  if (u->healthy.exchange(false)) {
    Logger("edge")->warn("upstream {}:{} marked down: {}", u->url.host, u->url.port, why);
  }
  healthy_gauge_.Set(healthy());
}

int64_t Upstreams::healthy() const {
  int64_t n = 0;
  for (const auto& u : list_) n += u->healthy ? 1 : 0;
  return n;
}

asio::awaitable<void> Upstreams::CheckAll(std::chrono::milliseconds timeout) {
  auto ex = co_await asio::this_coro::executor;
  for (const auto& u : list_) {
    net::ClientOptions o;
    o.connect_timeout = timeout;
    net::HttpClient client(ex, u->url, o);
    auto r = co_await client.Send("GET", u->url.path + "/healthz", {}, "", timeout);
    const bool up = r.ok() && r->status == 200;
    if (up && !u->healthy.exchange(true)) {
      Logger("edge")->info("upstream {}:{} is back", u->url.host, u->url.port);
    }
    if (!up) u->healthy = false;
  }
  healthy_gauge_.Set(healthy());
}

}  // namespace onair::edge
