#include "edge/cache.h"

namespace onair::edge {

void EdgeObject::SetAnswer(Answer a) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!answer_) answer_ = std::move(a);
}

std::optional<EdgeObject::Answer> EdgeObject::answer() const {
  std::lock_guard<std::mutex> lock(mu_);
  return answer_;
}

EdgeCache::Lookup EdgeCache::Get(const std::string& key, bool live, SteadyTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    Entry& e = it->second;
    const auto state = e.object->body.state();
    if (state == net::StreamedBody::State::kGrowing) return {e.object, Kind::kCollapsed};
    const auto answer = e.object->answer();
    if (state == net::StreamedBody::State::kComplete && answer && answer->fresh_until > now) {
      if (e.counted) {  // most recently used now
        auto& list = e.object->live ? lru_live_ : lru_dvr_;
        list.splice(list.end(), list, e.lru);
      }
      return {e.object, Kind::kHit};
    }
    Unlink(e);
    entries_.erase(it);
  }
  auto object = std::make_shared<EdgeObject>(key, live);
  entries_.emplace(key, Entry{object});
  return {object, Kind::kMiss};
}

void EdgeCache::Completed(const std::shared_ptr<EdgeObject>& object, SteadyTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(object->key);
  if (it == entries_.end() || it->second.object != object) return;  // replaced meanwhile
  const auto answer = object->answer();
  if (!answer || answer->fresh_until <= now) {
    entries_.erase(it);  // served to the requests that were collapsed onto it, no more
    return;
  }
  const std::string_view key = object->key;
  if (answer->status == 200 && key.size() > 9 && key.substr(key.size() - 9) == "/init.mp4") {
    good_inits_[object->key] = object;
  }
  Entry& e = it->second;
  auto& list = object->live ? lru_live_ : lru_dvr_;
  e.lru = list.insert(list.end(), object->key);
  e.counted = true;
  bytes_ += object->body.size();
  EvictOverBudget();
}

void EdgeCache::Remove(const std::shared_ptr<EdgeObject>& object) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(object->key);
  if (it == entries_.end() || it->second.object != object) return;
  Unlink(it->second);
  entries_.erase(it);
}

void EdgeCache::Unlink(Entry& e) {
  if (!e.counted) return;
  (e.object->live ? lru_live_ : lru_dvr_).erase(e.lru);
  bytes_ -= e.object->body.size();
  e.counted = false;
}

void EdgeCache::EvictOverBudget() {
  while (bytes_ > budget_ && (!lru_dvr_.empty() || !lru_live_.empty())) {
    auto& list = lru_dvr_.empty() ? lru_live_ : lru_dvr_;
    auto it = entries_.find(list.front());
    Unlink(it->second);
    entries_.erase(it);
    evictions_++;
  }
}

std::shared_ptr<EdgeObject> EdgeCache::LastGoodInit(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = good_inits_.find(key);
  return it == good_inits_.end() ? nullptr : it->second;
}

int64_t EdgeCache::bytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  return bytes_;
}

size_t EdgeCache::objects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

int64_t EdgeCache::evictions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return evictions_;
}

}  // namespace onair::edge
