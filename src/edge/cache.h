// The edge's cache: objects (segments, init segments, manifests, answers such as 404 and
// 410) by URL, shared by live and catch-up viewers, bounded in bytes. An object is created by
// the first request that misses and filled from upstream once; every other request for it
// meanwhile is collapsed onto that fill and streams its body as it grows (net::StreamedBody).
// When the budget is exceeded, complete catch-up (DVR) objects go first, least recently used
// first, then live ones; objects still filling are never evicted.
#pragma once

#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "edge/freshness.h"
#include "net/streamed_body.h"

namespace onair::edge {

struct EdgeObject {
  EdgeObject(std::string k, bool is_live) : key(std::move(k)), live(is_live) {}
  const std::string key;
  const bool live;
  net::StreamedBody body;

  // The upstream's answer; set once, before the body's first piece or end.
  using Answer = UpstreamAnswer;
  void SetAnswer(Answer a);
  std::optional<Answer> answer() const;

 private:
  mutable std::mutex mu_;
  std::optional<Answer> answer_;
};

class EdgeCache {
 public:
  explicit EdgeCache(int64_t budget_bytes) : budget_(budget_bytes) {}

  enum class Kind { kHit, kCollapsed, kMiss };
  struct Lookup {
    std::shared_ptr<EdgeObject> object;
    Kind kind;
  };
  // The object for `key`: fresh (hit), filling (collapsed), or a new one that the caller must
  // fill (miss; it replaces a stale or failed one).
  Lookup Get(const std::string& key, bool live, SteadyTime now);
  // A fill ended well: the object counts against the budget (or leaves, if not cacheable).
  void Completed(const std::shared_ptr<EdgeObject>& object, SteadyTime now);
  // A fill failed: the object leaves at once (it is never served to a new request).
  void Remove(const std::shared_ptr<EdgeObject>& object);

  // The last good (200) copy of an init segment, kept aside even when evicted or stale: a
  // player cannot start without it, so it is served if a refill fails (stale-if-error).
  std::shared_ptr<EdgeObject> LastGoodInit(const std::string& key) const;

  int64_t bytes() const;
  size_t objects() const;
  int64_t evictions() const;

 private:
  struct Entry {
    std::shared_ptr<EdgeObject> object;
    bool counted = false;  // complete and in an LRU list
    std::list<std::string>::iterator lru;
  };
  void Unlink(Entry& e);  // out of its LRU list and the byte count
  void EvictOverBudget();

  const int64_t budget_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> lru_dvr_, lru_live_;  // front: least recently used
  std::unordered_map<std::string, std::shared_ptr<EdgeObject>> good_inits_;
  int64_t bytes_ = 0;
  int64_t evictions_ = 0;
};

}  // namespace onair::edge
