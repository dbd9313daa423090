#include "pipeline/track_worker.h"

#include "core/log.h"
#include "pipeline/encode_stage.h"
#include "pipeline/scale_stage.h"

namespace onair::pipeline {

TrackWorker::TrackWorker(std::string name, std::unique_ptr<media::Encoder> encoder, FrameGrid grid,
                         int64_t segment_us, std::optional<std::pair<int, int>> scale_to)
    : name_(std::move(name)),
      encoder_(std::move(encoder)),
      grid_(grid),
      segment_us_(segment_us),
      scale_to_(scale_to) {}

TrackWorker::~TrackWorker() { Join(); }

void TrackWorker::Start() {
  TrackPackager* packager = packager_.get();
  encode_ = std::make_unique<EncodeStage>(
      encoder_.get(), grid_, segment_us_, packager,
      [packager](int64_t index, bool no_input) { packager->NoteInput(index, no_input); });
  head_ = encode_.get();
  if (child_) {
    to_child_ = std::make_unique<QueueStage>(&child_->queue());
    fork_ = std::make_unique<Fork>(std::vector<FrameStage*>{encode_.get(), to_child_.get()});
    head_ = fork_.get();
  }
  if (scale_to_) {
    scale_ = std::make_unique<ScaleStage>(scale_to_->first, scale_to_->second, head_);
    head_ = scale_.get();
  }
  packager_->Start();
  thread_ = std::thread([this] { Loop(); });
}

void TrackWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

void TrackWorker::Loop() {
  while (auto slot = queue_.Pop()) {
    if (slot->eos) break;
    Status s = head_->Process(*slot);
    if (!s.ok()) Logger("pipeline")->error("{}: {}", name_, s.ToString());
  }
  Status s = head_->Flush();
  if (!s.ok()) Logger("pipeline")->error("{}: {}", name_, s.ToString());
}

}  // namespace onair::pipeline
