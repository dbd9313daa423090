#include "origin/disk_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/log.h"
#include "origin/segment_check.h"
#include "origin/store.h"

namespace onair::origin {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Writes `bytes` to path via a temporary file, fsync and rename; false (and why) on failure.
bool WriteDurably(const std::string& path, const std::vector<Candidate::Piece>& pieces,
                  std::string* error) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = std::string("open: ") + std::strerror(errno);
    return false;
  }
  for (const auto& p : pieces) {
    size_t done = 0;
    while (done < p->size()) {
      const ssize_t w = ::write(fd, p->data() + done, p->size() - done);
      if (w < 0) {
        if (errno == EINTR) continue;
        *error = std::string("write: ") + std::strerror(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
      }
      done += static_cast<size_t>(w);
    }
  }
  if (::fdatasync(fd) != 0 || ::close(fd) != 0) {
    *error = std::string("sync: ") + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = std::string("rename: ") + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool WriteText(const std::string& path, const std::string& text, std::string* error) {
  return WriteDurably(path, {std::make_shared<const std::string>(text)}, error);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ObjectName(int64_t n, int pipeline) {
  return n == kInit ? std::string("init.") + PipelineName(pipeline) + ".mp4"
                    : std::to_string(n) + "." + PipelineName(pipeline) + ".m4s";
}

}  // namespace

DiskStore::DiskStore(std::string root, MetricsRegistry* metrics)
    : root_(std::move(root)),
      writes_ok_(metrics->counter("onair_origin_disk_writes_total",
                                  "Candidates and event files written to disk.")),
      write_errors_(metrics->counter("onair_origin_disk_errors_total",
                                     "Disk writes that failed (full disk, I/O error).")) {}

DiskStore::~DiskStore() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status DiskStore::Open() {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Unavailable("cannot create data directory '" + root_ + "': " + ec.message());
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void DiskStore::Enqueue(std::function<void()> job) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void DiskStore::Run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and everything is written
      job = std::move(jobs_.front());
      jobs_.pop_front();
      busy_ = true;
    }
    job();
    {
      std::lock_guard<std::mutex> lock(mu_);
      busy_ = false;
    }
    idle_cv_.notify_all();
  }
}

void DiskStore::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_cv_.wait(lock, [&] { return jobs_.empty() && !busy_; });
}

void DiskStore::SaveEvent(const EventConfig& config, const EventControl& control) {
  const json j = {{"config", json::parse(EventConfigToJson(config))},
                  {"preferred", PipelineName(control.preferred)},
                  {"masked", {control.masked[0], control.masked[1]}},
                  {"version", control.version}};
  const std::string dir = root_ + "/" + config.event;
  Enqueue([this, dir, text = j.dump(2)] {
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string error;
    if (ec || !WriteText(dir + "/event.json", text, &error)) {
      write_errors_.Inc();
      Logger("origin")->error("cannot save {}/event.json: {}", dir, ec ? ec.message() : error);
      return;
    }
    writes_ok_.Inc();
  });
}

void DiskStore::Persist(const std::string& event, const std::string& rendition, int64_t n,
                        std::shared_ptr<Candidate> candidate) {
  const std::string dir = root_ + "/" + event + "/" + rendition;
  Enqueue([this, dir, n, c = std::move(candidate)] {
    if (c->state() != Candidate::State::kComplete) return;
    const std::string path = dir + "/" + ObjectName(n, c->pipeline());
    const json meta = {{"size", c->size()},
                       {"defects", c->defects()},
                       {"write_id", c->write_id()},
                       {"completed", c->completed_at()}};
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string error;
    if (ec || !WriteDurably(path, c->Read(0).pieces, &error) ||
        !WriteText(path + ".json", meta.dump(), &error)) {
      write_errors_.Inc();
      c->SetDiskFailed();
      Logger("origin")->error("cannot store {}: {} (kept in memory)", path,
                              ec ? ec.message() : error);
      return;
    }
    c->SetDiskPath(path);
    writes_ok_.Inc();
  });
}

void DiskStore::Remove(const std::shared_ptr<Candidate>& candidate) {
  Enqueue([c = candidate] {
    const std::string path = c->disk_path();
    if (path.empty()) return;
    std::error_code ec;
    fs::remove(path + ".json", ec);
    fs::remove(path, ec);
  });
}

namespace {

struct LoadCounts {
  int64_t events = 0, candidates = 0, unusable = 0;
};

// "123.A.m4s" / "init.B.mp4" -> segment number (kInit) and pipeline.
bool ParseObjectName(const std::string& base, int64_t* n, int* pipeline) {
  const size_t dot = base.find('.');
  if (dot == std::string::npos || dot + 2 > base.size()) return false;
  *pipeline = base[dot + 1] == 'B' ? 1 : 0;
  const std::string stem = base.substr(0, dot);
  if (stem == "init") {
    *n = kInit;
    return true;
  }
  if (stem.empty() || stem.size() > 18 ||
      stem.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *n = std::stoll(stem);
  return true;
}

// Every stored candidate of one rendition: a data file whose .json matches its size.
void LoadTrack(Store& store, const std::string& event, const fs::path& dir, LoadCounts* counts) {
  std::error_code ec;
  const std::string rendition = dir.filename().string();
  for (const auto& f : fs::directory_iterator(dir, ec)) {
    const std::string meta_path = f.path().string();
    if (f.path().extension() != ".json") continue;
    const std::string data = meta_path.substr(0, meta_path.size() - 5);
    int64_t n = 0;
    int pipeline = 0;
    const json meta = json::parse(ReadText(f.path()), nullptr, false);
    std::error_code size_ec;
    const auto on_disk = fs::file_size(data, size_ec);
    if (!ParseObjectName(fs::path(data).filename().string(), &n, &pipeline) ||
        meta.is_discarded() || !meta.is_object() || size_ec || !meta.contains("size") ||
        !meta["size"].is_number_integer() ||
        static_cast<int64_t>(on_disk) != meta["size"].get<int64_t>()) {
      counts->unusable++;
      continue;
    }
    std::shared_ptr<Candidate> c;
    try {
      c = Candidate::OnDisk(
          pipeline, meta.value("write_id", uint64_t{0}), data, static_cast<int64_t>(on_disk),
          meta.value("defects", std::vector<std::string>{}), meta.value("completed", int64_t{0}));
    } catch (const json::exception&) {  // a field of the wrong type: not ours to trust
      counts->unusable++;
      continue;
    }
    const uint32_t timescale = n == kInit ? CheckInit(ReadText(data)).timescale : 0;
    store.Restore(event, rendition, n, std::move(c), timescale);
    counts->candidates++;
  }
}

// One event directory: its event.json (config and levers), then its renditions.
Status LoadEvent(Store& store, const fs::path& dir, LoadCounts* counts) {
  const fs::path event_file = dir / "event.json";
  if (!fs::exists(event_file)) return Status::Ok();
  const json j = json::parse(ReadText(event_file), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("config")) {
    Logger("origin")->error("{}: unreadable, event skipped", event_file.string());
    return Status::Ok();
  }
  auto config = ParseEventConfig(j["config"].dump());
  if (!config.ok()) {
    Logger("origin")->error("{}: {}", event_file.string(), config.status().ToString());
    return Status::Ok();
  }
  EventControl control;
  try {
    control.preferred = j.value("preferred", "A") == "B" ? 1 : 0;
    if (j.contains("masked") && j["masked"].is_array() && j["masked"].size() == 2) {
      control.masked[0] = j["masked"][0].get<bool>();
      control.masked[1] = j["masked"][1].get<bool>();
    }
    control.version = j.value("version", int64_t{0});
  } catch (const json::exception& e) {
    Logger("origin")->error("{}: {}; the event's levers are reset", event_file.string(), e.what());
    control = EventControl{};
  }
  ONAIR_RETURN_IF_ERROR(store.PutEvent(*config, &control));
  counts->events++;
  std::error_code ec;
  for (const auto& rdir : fs::directory_iterator(dir, ec)) {
    if (rdir.is_directory()) LoadTrack(store, config->event, rdir.path(), counts);
  }
  return Status::Ok();
}

}  // namespace

Status DiskStore::LoadInto(Store& store) {
  std::error_code ec;
  LoadCounts counts;
  for (const auto& edir : fs::directory_iterator(root_, ec)) {
    if (edir.is_directory()) ONAIR_RETURN_IF_ERROR(LoadEvent(store, edir.path(), &counts));
  }
  Logger("origin")->info("loaded {} events and {} stored segments from {} ({} unusable)",
                         counts.events, counts.candidates, root_, counts.unusable);
  return Status::Ok();
}

}  // namespace onair::origin
