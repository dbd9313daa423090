#include "playback/catalog.h"

#include <atomic>

#include "core/log.h"
#include "media/cmaf_writer.h"
#include "net/http_client.h"
#include "net/url.h"

namespace onair::playback {

using std::chrono::steady_clock;

Catalog::Catalog(std::vector<std::string> upstreams, CatalogOptions options)
    : upstreams_(std::move(upstreams)), o_(options) {}

Catalog::~Catalog() { Stop(); }

Status Catalog::Start() {
  if (upstreams_.empty()) return InvalidArgument("the playback service needs an --origin");
  for (const std::string& u : upstreams_) {
    if (!net::ParseUrl(u).ok()) return InvalidArgument("not an origin URL: " + u);
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void Catalog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Catalog::Found Catalog::Find(const std::string& name, std::function<void()> wake) {
  const auto now = steady_clock::now();
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
  cv_.notify_one();
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

void Catalog::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    std::vector<std::string> names;
    names.swap(queue_);
    const auto now = steady_clock::now();
    // Known events are refreshed while devices ask for them, and forgotten when none do.
    std::erase_if(entries_, [&](const auto& kv) {
      return !kv.second.queued && now - kv.second.asked > o_.forget_unasked;
    });
    for (auto& [name, e] : entries_) {
      if (e.state == State::kReady && !e.queued && now - e.checked > o_.refresh) {
        e.queued = true;
        names.push_back(name);
      }
    }
    for (const std::string& name : names) {
      lock.unlock();
      Found f = Fetch(name);
      lock.lock();
      auto it = entries_.find(name);
      if (it == entries_.end()) continue;
      Entry& e = it->second;
      // An origin that does not answer does not make a known event unknown.
      if (!(f.state == State::kUnreachable && e.event)) {
        e.state = f.state;
        e.event = std::move(f.event);
      }
      e.checked = steady_clock::now();
      e.queued = false;
      std::vector<std::function<void()>> waiting;
      waiting.swap(e.waiting);
      lock.unlock();
      for (auto& w : waiting) w();
      lock.lock();
      if (stop_) break;
    }
  }
  // Nobody waits forever: whoever waits is told at the end.
  for (auto& [name, e] : entries_) {
    for (auto& w : e.waiting) w();
    e.waiting.clear();
  }
}

Catalog::Found Catalog::Fetch(const std::string& name) {
  for (const std::string& base : upstreams_) {
    auto url = net::ParseUrl(base);
    if (!url.ok()) continue;
    net::HttpConnection conn(*url);
    conn.set_max_response_bytes(1 << 20);
    auto get = [&](const std::string& target) {
      return conn.Send("GET", url->path + target, {}, "", o_.timeout);
    };
    auto ev = get("/live/" + name + "/event.json");
    if (!ev.ok() || ev->status >= 500) continue;  // the next upstream
    if (ev->status == 404) return {State::kMissing, nullptr};
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
      auto init = get("/live/" + name + "/" + id + "/init.mp4");
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
    if (!complete) return {State::kNotReady, nullptr};
    return {State::kReady, std::move(event)};
  }
  return {State::kUnreachable, nullptr};
}

}  // namespace onair::playback
