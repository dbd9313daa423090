#include "origin/candidate.h"

#include <fstream>
#include <sstream>

namespace onair::origin {

std::shared_ptr<Candidate> Candidate::OnDisk(int pipeline, uint64_t write_id, std::string path,
                                             int64_t size, std::vector<std::string> defects,
                                             UtcMicros completed_at) {
  std::shared_ptr<Candidate> c(new Candidate(pipeline, write_id, std::vector<Piece>{}));
  c->disk_size_ = size;
  c->disk_path_ = std::move(path);
  c->defects_ = std::move(defects);
  c->completed_at_ = completed_at;
  c->in_memory_ = false;
  return c;
}

void Candidate::Append(std::string bytes) { body_.Append(std::move(bytes)); }

void Candidate::Complete(std::vector<std::string> defects, UtcMicros now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (body_.state() != State::kGrowing) return;
    defects_ = std::move(defects);
    completed_at_ = now;
  }
  body_.Finish();  // readers woken by this see the defects
}

void Candidate::Abort() { body_.Fail(); }

std::vector<std::string> Candidate::defects() const {
  std::lock_guard<std::mutex> lock(mu_);
  return defects_;
}

UtcMicros Candidate::completed_at() const {
  std::lock_guard<std::mutex> lock(mu_);
  return completed_at_;
}

std::string Candidate::etag() const {
  return std::string("\"") + PipelineName(pipeline_) + "-" + std::to_string(write_id_) + "\"";
}

std::string Candidate::disk_path() const {
  std::lock_guard<std::mutex> lock(mu_);
  return disk_path_;
}

void Candidate::SetDiskPath(std::string path) {
  std::lock_guard<std::mutex> lock(mu_);
  disk_path_ = std::move(path);
}

bool Candidate::in_memory() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_memory_;
}

bool Candidate::DropFromMemory() {
  std::lock_guard<std::mutex> lock(mu_);
  if (disk_path_.empty() || body_.state() != State::kComplete) return false;
  body_.Drop();
  in_memory_ = false;
  return true;
}

std::vector<Candidate::Piece> Candidate::LoadFromDisk() {
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_memory_) return body_.Read(0).pieces;
    path = disk_path_;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string bytes = ss.str();
  if (static_cast<int64_t>(bytes.size()) != size()) return {};  // damaged on disk: not served
  return {std::make_shared<const std::string>(std::move(bytes))};
}

}  // namespace onair::origin
