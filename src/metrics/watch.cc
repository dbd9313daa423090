#include "metrics/watch.h"

#include <algorithm>
#include <boost/asio/this_coro.hpp>

#include "core/event_config.h"
#include "net/all_of.h"
#include "net/url.h"

namespace onair::metrics {

namespace asio = boost::asio;

StatusOr<std::pair<std::string, std::string>> ParseScrapeFlag(const std::string& flag) {
  const size_t eq = flag.find('=');
  if (eq == std::string::npos || eq == 0)
    return InvalidArgument("--scrape wants NAME=URL: " + flag);
  const std::string name = flag.substr(0, eq), url = flag.substr(eq + 1);
  if (!IsSafeName(name)) {
    return InvalidArgument("--scrape: a name is 1-64 letters, digits, '-' and '_': " + name);
  }
  if (auto u = net::ParseUrl(url); !u.ok()) {
    return InvalidArgument("--scrape " + name + ": " + u.status().message());
  }
  return std::pair{name, url};
}

asio::awaitable<StatusOr<net::Response>> Watch::Get(const std::string& name,
                                                    const std::string& base_url,
                                                    const std::string& path,
                                                    const std::string& token) {
  auto url = net::ParseUrl(base_url);
  if (!url.ok()) co_return url.status();
  auto& client = clients_[name];
  if (!client || client->server().host != url->host || client->server().port != url->port ||
      client->server().scheme != url->scheme) {
    net::ClientOptions co;
    co.connect_timeout = o_.timeout;
    co.max_response_bytes = o_.max_scrape_bytes;
    auto ex = co_await asio::this_coro::executor;  // bound first (docs/decisions.md)
    client = std::make_unique<net::HttpClient>(ex, *url, co);
  }
  net::Headers headers;
  if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
  std::string target = url->path;
  while (!target.empty() && target.back() == '/') target.pop_back();
  target += path;
  auto r = co_await client->Send("GET", target, headers, "", o_.timeout);
  if (!r.ok() || r->status != 200) client->Close();
  co_return r;
}

asio::awaitable<WatchRound> Watch::Round() {
  auto round = std::make_shared<WatchRound>();
  // The playback service first: its fleet names the edges to scrape.
  if (!o_.playback_url.empty()) {
    std::vector<net::Job> asks;
    asks.push_back([this, round]() -> asio::awaitable<void> {
      auto r = co_await Get("playback-levers", o_.playback_url, "/admin/levers", o_.playback_token);
      if (r.ok() && r->status == 200) {
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (j.is_object()) round->levers = std::move(j);
      }
    });
    asks.push_back([this, round]() -> asio::awaitable<void> {
      auto r = co_await Get("playback-edges", o_.playback_url, "/admin/edges", o_.playback_token);
      if (r.ok() && r->status == 200) {
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (j.is_array()) round->fleet = std::move(j);
      }
    });
    co_await net::AllOf(std::move(asks), 2 * o_.timeout + std::chrono::seconds(1));
  }
  std::vector<std::pair<std::string, std::string>> targets = o_.targets;
  if (round->fleet) {
    for (const nlohmann::json& e : *round->fleet) {
      if (!e.is_object() || !e.contains("name") || !e["name"].is_string() ||
          !e.contains("base_url") || !e["base_url"].is_string()) {
        continue;
      }
      const std::string name = e["name"].get<std::string>();
      const bool named = std::any_of(targets.begin(), targets.end(),
                                     [&](const auto& t) { return t.first == name; });
      if (!named) targets.emplace_back(name, e["base_url"].get<std::string>());
    }
  }
  std::erase_if(clients_, [&](const auto& kv) {
    return !kv.first.starts_with("playback-") &&
           std::none_of(targets.begin(), targets.end(),
                        [&](const auto& t) { return t.first == kv.first; });
  });
  std::vector<net::Job> scrapes;
  for (size_t k = 0; k < targets.size(); ++k) {
    round->scrapes.emplace_back(targets[k].first, std::nullopt);  // down unless it answers
    scrapes.push_back([this, round, k, target = targets[k]]() -> asio::awaitable<void> {
      auto r = co_await Get(target.first, target.second, "/metrics", "");
      if (r.ok() && r->status == 200) round->scrapes[k].second = CountersOf(ParsePromText(r->body));
    });
  }
  co_await net::AllOf(std::move(scrapes), 2 * o_.timeout + std::chrono::seconds(1));
  round->at = clock_->Now();
  co_return *round;
}

}  // namespace onair::metrics
