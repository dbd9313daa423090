#include "playback/catalog.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "core/log.h"
#include "media/cmaf_writer.h"
#include "net/http_client.h"
#include "net/url.h"

namespace onair::playback {

namespace asio = boost::asio;

Catalog::Catalog(std::vector<std::string> upstreams, CatalogOptions options, Clock* clock)
    : upstreams_(std::move(upstreams)), o_(options), clock_(clock) {}

Catalog::~Catalog() { Stop(); }

Status Catalog::Validate() const {
  if (upstreams_.empty()) return InvalidArgument("the playback service needs an --origin");
  for (const std::string& u : upstreams_) {
    if (!net::ParseUrl(u).ok()) return InvalidArgument("not an origin URL: " + u);
  }
  return Status::Ok();
}

void Catalog::Start(asio::any_io_executor ex) {
  std::lock_guard<std::mutex> lock(mu_);
  ex_ = std::move(ex);
  stopped_ = false;
  KickLocked();
}

void Catalog::Stop() {
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    for (auto& [name, e] : entries_) {
      for (auto& w : e.waiting) waiting.push_back(std::move(w));
      e.waiting.clear();
    }
  }
  for (auto& w : waiting) w();  // nobody waits forever
}

Catalog::Found Catalog::Find(const std::string& name, std::function<void()> wake) {
  const MonoTime now = clock_->Monotonic();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(name);
  if (it != entries_.end()) {
    Entry& e = it->second;
    e.asked = now;
    if (e.state == State::kReady) return {e.state, e.event};
    if (e.queued) {
      if (wake) e.waiting.push_back(std::move(wake));
      return {State::kPending, nullptr};
    }
    if (now - e.checked < o_.remember) return {e.state, nullptr};
  } else {
    if (entries_.size() >= o_.most_events) {
      std::erase_if(entries_, [&](const auto& kv) {
        return kv.second.state != State::kReady && !kv.second.queued &&
               now - kv.second.checked >= o_.remember;
      });
    }
    if (entries_.size() >= o_.most_events) return {State::kUnreachable, nullptr};
    it = entries_.emplace(name, Entry{}).first;
    it->second.asked = now;
  }
  Entry& e = it->second;
  e.queued = true;
  if (wake) e.waiting.push_back(std::move(wake));
  queue_.push_back(name);
  KickLocked();
  return {State::kPending, nullptr};
}

std::vector<std::shared_ptr<const CatalogEvent>> Catalog::Events() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<const CatalogEvent>> out;
  for (const auto& [name, e] : entries_) {
    if (e.event) out.push_back(e.event);
  }
  return out;
}

void Catalog::Tick() {
  const MonoTime now = clock_->Monotonic();
  std::lock_guard<std::mutex> lock(mu_);
  // Known events are refreshed while devices ask for them, and forgotten when none do.
  std::erase_if(entries_, [&](const auto& kv) {
    return !kv.second.queued && now - kv.second.asked > o_.forget_unasked;
  });
  for (auto& [name, e] : entries_) {
    if (e.state == State::kReady && !e.queued && now - e.checked > o_.refresh) {
      e.queued = true;
      queue_.push_back(name);
    }
  }
  KickLocked();
}

bool Catalog::reachable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_answer_ != MonoTime{} && clock_->Monotonic() - last_answer_ < o_.reachable_for;
}

std::vector<std::string> Catalog::TakeQueued() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  names.swap(queue_);
  return names;
}

void Catalog::Apply(const std::string& name, Found f, bool answered) {
  std::vector<std::function<void()>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const MonoTime now = clock_->Monotonic();
    if (answered) last_answer_ = now;
    auto it = entries_.find(name);
    if (it == entries_.end()) return;
    Entry& e = it->second;
    // An origin that does not answer does not make a known event unknown.
    if (!(f.state == State::kUnreachable && e.event)) {
      e.state = f.state;
      e.event = std::move(f.event);
    }
    e.checked = now;
    e.queued = false;
    waiting.swap(e.waiting);
  }
  for (auto& w : waiting) w();
}

void Catalog::KickLocked() {
  if (draining_ || stopped_ || !ex_) return;
  // The origin is asked for its health when no fetch has said it answers lately.
  const bool probe =
      last_answer_ == MonoTime{} || clock_->Monotonic() - last_answer_ > o_.reachable_for / 2;
  if (queue_.empty() && !probe) return;
  if (queue_.empty()) queue_.push_back("");  // "": just the probe
  draining_ = true;
  // Posted, not spawned here: a spawn on the loop's own thread runs the coroutine at once,
  // and it takes the lock the caller holds.
  asio::post(ex_, [this] { asio::co_spawn(ex_, Drain(), asio::detached); });
}

asio::awaitable<void> Catalog::Drain() {
  for (;;) {
    std::vector<std::string> names;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_ || queue_.empty()) {
        draining_ = false;  // under the lock that Find queues under: no name is left behind
        co_return;
      }
      names.swap(queue_);
    }
    for (const std::string& name : names) {
      bool answered = false;
      Found f = co_await Fetch(name, &answered);
      if (!name.empty()) {
        Apply(name, std::move(f), answered);
      } else if (answered) {
        std::lock_guard<std::mutex> lock(mu_);
        last_answer_ = clock_->Monotonic();
      }
    }
  }
}

asio::awaitable<Catalog::Found> Catalog::Fetch(std::string name, bool* answered) {
  auto ex = ex_;
  for (const std::string& base : upstreams_) {
    auto url = net::ParseUrl(base);
    if (!url.ok()) continue;
    net::HttpClient client(ex, *url);
    if (name.empty()) {  // the probe
      auto h = co_await client.Send("GET", url->path + "/healthz", {}, "", o_.timeout);
      if (h.ok() && h->status == 200) {
        *answered = true;
        break;
      }
      continue;
    }
    auto ev = co_await client.Send("GET", url->path + "/live/" + name + "/event.json", {}, "",
                                   o_.timeout);
    if (!ev.ok() || ev->status >= 500) continue;  // the next upstream
    *answered = true;
    if (ev->status == 404) co_return Found{State::kMissing, nullptr};
    if (ev->status != 200) continue;
    auto config = ParseEventConfig(ev->body);
    if (!config.ok()) {
      Logger("playback")->warn("{}: event.json from {}: {}", name, base, config.status().message());
      continue;
    }
    auto event = std::make_shared<CatalogEvent>();
    static std::atomic<uint64_t> versions{0};
    event->version = ++versions;
    event->config = *config;
    std::vector<const RenditionConfig*> rungs;
    for (const RenditionConfig& r : event->config.ladder) rungs.push_back(&r);
    rungs.push_back(nullptr);  // the audio
    bool complete = true;
    for (const RenditionConfig* r : rungs) {
      const std::string id = r ? r->name : event->config.audio.name;
      auto init = co_await client.Send("GET", url->path + "/live/" + name + "/" + id + "/init.mp4",
                                       {}, "", o_.timeout);
      if (!init.ok() || init->status != 200) {
        complete = false;
        break;
      }
      std::string codecs = media::CodecStringFromInit(init->body);
      if (codecs.empty()) {
        complete = false;
        break;
      }
      event->tracks.push_back(media::TrackOf(event->config, r, std::move(codecs)));
    }
    if (!complete) co_return Found{State::kNotReady, nullptr};
    co_return Found{State::kReady, std::move(event)};
  }
  co_return Found{State::kUnreachable, nullptr};
}

}  // namespace onair::playback
