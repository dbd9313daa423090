#include "edge/fill.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "edge/freshness.h"
#include "net/http_client.h"

namespace onair::edge {

namespace asio = boost::asio;

Fills::Fills(EdgeCache& cache, Upstreams& upstreams, Clock* clock, MetricsRegistry& m,
             FillOptions options)
    : cache_(cache),
      upstreams_(upstreams),
      clock_(clock),
      o_(options),
      ok_(m.counter("onair_edge_fills_total", "Upstream fills by result.", {{"result", "ok"}})),
      failed_(
          m.counter("onair_edge_fills_total", "Upstream fills by result.", {{"result", "failed"}})),
      none_(m.counter("onair_edge_fills_total", "Upstream fills by result.",
                      {{"result", "no-upstream"}})),
      gauge_(m.gauge("onair_edge_fills_in_flight", "Upstream fills in progress.")) {}

EdgeCache::Lookup Fills::Acquire(const std::string& key, bool live,
                                 const asio::any_io_executor& ex) {
  EdgeCache::Lookup found = cache_.Get(key, live, clock_->Monotonic());
  if (found.kind == EdgeCache::Kind::kMiss) {
    gauge_.Set(++in_flight_);
    asio::co_spawn(ex, Fill(found.object), asio::detached);
  }
  return found;
}

asio::awaitable<void> Fills::Fill(std::shared_ptr<EdgeObject> object) {
  struct Done {
    Fills* f;
    ~Done() { f->gauge_.Set(--f->in_flight_); }
  } done{this};
  auto ex = co_await asio::this_coro::executor;
  net::ClientOptions co;
  co.connect_timeout = o_.connect_timeout;
  co.user_agent = "onair-edge";
  for (Upstream* u : upstreams_.FillOrder()) {
    net::HttpClient client(ex, u->url, co);
    net::StreamHandler handler;
    handler.on_head = [&](int status, const net::Headers& headers) {
      EdgeObject::Answer answer;
      answer.status = status;
      for (const auto& [k, v] : headers) {
        if (Forwarded(k)) answer.headers.emplace_back(k, v);
      }
      answer.fetched = clock_->Monotonic();
      SetFreshness(&answer);
      object->SetAnswer(std::move(answer));
      return true;
    };
    handler.on_body = [&](std::string_view bytes) {
      object->body.Append(std::string(bytes));
      return true;
    };
    bool head_seen = false;
    const Status s = co_await client.StreamGet(u->url.path + object->key, {}, handler,
                                               o_.header_timeout, o_.idle_timeout, &head_seen);
    if (!s.ok() && !head_seen) {
      upstreams_.MarkDown(u, s.message());
      continue;  // nothing of the answer is known: the next upstream
    }
    if (!s.ok()) {
      upstreams_.MarkDown(u, "mid-body: " + s.message());
      object->body.Fail();
      cache_.Remove(object);
      failed_.Inc();
      co_return;
    }
    object->body.Finish();
    cache_.Completed(object, clock_->Monotonic());
    ok_.Inc();
    co_return;
  }
  // Nobody answered: a 502 for the requests collapsed onto this fill, not kept.
  EdgeObject::Answer none;
  none.status = 502;
  none.headers = {{"Content-Type", "application/json"}, {"Cache-Control", "no-store"}};
  none.fetched = none.fresh_until = clock_->Monotonic();
  object->SetAnswer(std::move(none));
  object->body.Append("{\"error\":\"no upstream answered\"}\n");
  object->body.Finish();
  cache_.Completed(object, clock_->Monotonic());
  none_.Inc();
}

}  // namespace onair::edge
