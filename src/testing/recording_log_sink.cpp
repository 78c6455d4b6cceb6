// RecordingLogSink (testing/recording_log_sink.h).
#include "account/testing/recording_log_sink.h"

#include <chrono>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "base/mutex.h"

namespace account::testing {
namespace {

// Owned copies of a record's fields, secrets redacted as every sink writes them.
std::vector<LoggedField> copy_fields(const LogRecord& record) {
  std::vector<LoggedField> out;
  out.reserve(record.fields.size());
  for (const LogField& field : record.fields) {
    LoggedField copy{.key = std::string(field.key), .value = int64_t{0}};
    if (log_key_is_secret(field.key)) {
      copy.value = std::string("[redacted]");
    } else {
      std::visit(
          [&](const auto& value) {
            if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string_view>) {
              copy.value = std::string(value);
            } else {
              copy.value = value;
            }
          },
          field.value);
    }
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace

const LoggedField* LoggedRecord::field(std::string_view key) const {
  for (const LoggedField& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

std::string LoggedRecord::text(std::string_view key) const {
  const LoggedField* f = field(key);
  if (f == nullptr) return "";
  return std::visit(
      [](const auto& value) -> std::string {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return value;
        } else if constexpr (std::is_same_v<T, bool>) {
          return value ? "true" : "false";
        } else {
          return absl::StrCat(value);
        }
      },
      f->value);
}

class RecordingLogSink::State {
 public:
  void add(LoggedRecord record) {
    internal::MutexLock lock(&mu_);
    records_.push_back(std::move(record));
    changed_.signal_all();
  }
  std::vector<LoggedRecord> records() const {
    internal::MutexLock lock(&mu_);
    return records_;
  }
  std::vector<LoggedRecord> with_event(std::string_view event) const {
    internal::MutexLock lock(&mu_);
    std::vector<LoggedRecord> out;
    for (const LoggedRecord& r : records_) {
      if (r.event == event) out.push_back(r);
    }
    return out;
  }
  size_t count(std::string_view event) const {
    internal::MutexLock lock(&mu_);
    return count_locked(event);
  }
  bool wait_for(std::string_view event, size_t count, absl::Duration timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
    internal::MutexLock lock(&mu_);
    while (count_locked(event) < count) {
      const int64_t left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  deadline - std::chrono::steady_clock::now())
                                  .count();
      if (left_ns <= 0) return false;
      changed_.wait_for(&mu_, left_ns);
    }
    return true;
  }
  void clear() {
    internal::MutexLock lock(&mu_);
    records_.clear();
  }

 private:
  size_t count_locked(std::string_view event) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t n = 0;
    for (const LoggedRecord& r : records_) n += r.event == event ? 1 : 0;
    return n;
  }

  mutable internal::Mutex mu_;
  mutable internal::CondVar changed_;  // A record was kept.
  std::vector<LoggedRecord> records_ ABSL_GUARDED_BY(mu_);
};

RecordingLogSink::RecordingLogSink(LogLevel level_min)
    : level_min_(level_min), state_(std::make_unique<State>()) {}

RecordingLogSink::~RecordingLogSink() = default;

void RecordingLogSink::write(const LogRecord& record) {
  if (record.level < level_min_) return;
  // Copied before the lock: format_line() is the costly part.
  state_->add(LoggedRecord{.time = record.time,
                           .level = record.level,
                           .event = std::string(record.event),
                           .message = std::string(record.message),
                           .fields = copy_fields(record),
                           .line = JsonLinesLogSink::format_line(record)});
}

std::vector<LoggedRecord> RecordingLogSink::records() const { return state_->records(); }

std::vector<LoggedRecord> RecordingLogSink::with_event(std::string_view event) const {
  return state_->with_event(event);
}

size_t RecordingLogSink::count(std::string_view event) const { return state_->count(event); }

std::vector<std::string> RecordingLogSink::lines() const {
  std::vector<std::string> out;
  for (LoggedRecord& r : state_->records()) out.push_back(std::move(r.line));
  return out;
}

bool RecordingLogSink::wait_for_event(std::string_view event, size_t count,
                                      absl::Duration timeout) const {
  return state_->wait_for(event, count, timeout);
}

void RecordingLogSink::clear() { state_->clear(); }

}  // namespace account::testing
